package ai.agency.gateway.apikey;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import ai.agency.common.error.Problems;
import ai.agency.common.security.Revocations;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Turns an API key ({@code Authorization: Bearer agk_…} or {@code X-API-Key: agk_…}) into a short-lived access token
 * from auth-service ({@code POST /api/v1/auth/api-keys/exchange}) and forwards the request with
 * {@code Authorization: Bearer <jwt>} and without {@code X-API-Key}, so Spring Security and the services only ever
 * see JWTs. Tokens are cached briefly per key (by its SHA-256), well inside their lifetime; a cached token the
 * revocation feed has revoked since (key deleted, owner's tokens revoked) is never used: the key is exchanged again,
 * so a deleted key is refused at once. Runs before Spring Security's filter chain.
 */
public class ApiKeyExchangeFilter extends OncePerRequestFilter {

    static final String API_KEY_HEADER = "X-API-Key";
    /** Request attribute: a short digest of the API key the request came with (rate limits are kept per key). */
    public static final String KEY_ID_ATTRIBUTE = "agency.apiKeyId";

    static final String PREFIX = "agk_";
    private static final Logger log = LoggerFactory.getLogger(ApiKeyExchangeFilter.class);

    private record Exchanged(String accessToken, String tokenType, long expiresIn) {}

    /** An exchanged token, with what the revocation check needs. */
    private record Exchange(
            String token,
            UUID userId,
            long version,
            @Nullable UUID apiKeyId) {

        boolean revokedIn(Revocations revocations) {
            return revocations.isRevoked(userId, version, apiKeyId);
        }
    }

    private final RestClient auth;
    private final Cache<String, Exchange> tokens;
    private final Revocations revocations;

    /**
     * @param auth auth-service's client ({@code agency.clients.auth}: base URL, connect timeout, circuit breaker), with
     *     the exchange's own read timeout
     */
    public ApiKeyExchangeFilter(RestClient auth, Duration cacheTtl, Revocations revocations) {
        this.revocations = revocations;
        this.auth = auth;
        this.tokens = Caffeine.newBuilder()
                .expireAfterWrite(cacheTtl)
                .maximumSize(10_000)
                .build();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String key = apiKeyOf(request);
        if (key == null) {
            chain.doFilter(request, response);
            return;
        }
        String token;
        String digest = sha256(key);
        try {
            Exchange exchange = tokens.get(digest, k -> exchange(key));
            if (exchange.revokedIn(revocations)) {
                // the key was deleted, or its owner's tokens revoked, since: ask auth-service again (a deleted key is
                // refused there; a key whose owner logged out everywhere gets a token of the new version)
                tokens.invalidate(digest);
                exchange = tokens.get(digest, k -> exchange(key));
                if (exchange.revokedIn(revocations)) {
                    tokens.invalidate(digest);
                    throw new InvalidKey();
                }
            }
            token = exchange.token();
        } catch (InvalidKey e) {
            fail(
                    request,
                    response,
                    HttpStatus.UNAUTHORIZED,
                    ErrorType.AUTHENTICATION,
                    "The API key is invalid or revoked");
            return;
        } catch (RestClientException | IllegalStateException | AgencyException e) {
            log.warn("API key exchange with auth-service failed: {}", e.getMessage());
            fail(
                    request,
                    response,
                    HttpStatus.SERVICE_UNAVAILABLE,
                    ErrorType.SERVICE_UNAVAILABLE,
                    "API keys cannot be checked right now; try again shortly");
            return;
        }
        request.setAttribute(KEY_ID_ATTRIBUTE, digest.substring(0, 32));
        chain.doFilter(new WithBearerToken(request, token), response);
    }

    /** The API key of the request, or null when it carries none (an ordinary bearer token, or nothing). */
    static @Nullable String apiKeyOf(HttpServletRequest request) {
        String header = request.getHeader(API_KEY_HEADER);
        if (header != null && !header.isBlank()) {
            return header.strip();
        }
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String credential = authorization.substring(7).strip();
            if (credential.startsWith(PREFIX)) {
                return credential;
            }
        }
        return null;
    }

    private Exchange exchange(String key) {
        if (!key.startsWith(PREFIX) || key.length() > 100) {
            throw new InvalidKey();
        }
        Exchanged exchanged = auth.post()
                .uri("/api/v1/auth/api-keys/exchange")
                .contentType(MediaType.APPLICATION_JSON)
                .header(API_KEY_HEADER, key)
                .body("{}")
                .retrieve()
                .onStatus(HttpStatusCode::is4xxClientError, (req, res) -> {
                    throw new InvalidKey();
                })
                .body(Exchanged.class);
        if (exchanged == null || exchanged.accessToken() == null) {
            throw new IllegalStateException("auth-service answered no access token");
        }
        try {
            JWTClaimsSet claims = JWTParser.parse(exchanged.accessToken()).getJWTClaimsSet();
            Object ver = claims.getClaim("ver");
            String keyId = claims.getStringClaim("api_key_id");
            return new Exchange(
                    exchanged.accessToken(),
                    UUID.fromString(claims.getSubject()),
                    ver instanceof Number n ? n.longValue() : 0,
                    keyId == null ? null : UUID.fromString(keyId));
        } catch (ParseException | IllegalArgumentException | NullPointerException e) {
            throw new IllegalStateException("auth-service answered a token that cannot be read", e);
        }
    }

    private static void fail(
            HttpServletRequest request, HttpServletResponse response, HttpStatus status, ErrorType type, String detail)
            throws IOException {
        if (status == HttpStatus.UNAUTHORIZED) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
        }
        Problems.write(request, response, Problems.of(status, type, detail, request.getRequestURI(), null));
    }

    static String sha256(String value) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** auth-service refused the key. */
    private static final class InvalidKey extends RuntimeException {
        InvalidKey() {
            super("invalid API key", null, false, false);
        }
    }

    /** The request as the rest of the chain sees it: the JWT as bearer token, no API key header. */
    static final class WithBearerToken extends HttpServletRequestWrapper {

        private final String authorization;

        WithBearerToken(HttpServletRequest request, String token) {
            super(request);
            this.authorization = "Bearer " + token;
        }

        @Override
        public @Nullable String getHeader(String name) {
            if (HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name)) {
                return authorization;
            }
            if (API_KEY_HEADER.equalsIgnoreCase(name)) {
                return null;
            }
            return super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            if (HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name)) {
                return Collections.enumeration(java.util.List.of(authorization));
            }
            if (API_KEY_HEADER.equalsIgnoreCase(name)) {
                return Collections.emptyEnumeration();
            }
            return super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            Set<String> names = new LinkedHashSet<>();
            for (Enumeration<String> e = super.getHeaderNames(); e.hasMoreElements(); ) {
                String name = e.nextElement();
                if (!API_KEY_HEADER.equalsIgnoreCase(name) && !HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name)) {
                    names.add(name);
                }
            }
            names.add(HttpHeaders.AUTHORIZATION);
            return Collections.enumeration(names);
        }
    }
}
