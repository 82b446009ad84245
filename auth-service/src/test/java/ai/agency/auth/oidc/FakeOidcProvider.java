package ai.agency.auth.oidc;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small OpenID provider speaking the real wire protocol (discovery, authorization redirect, token endpoint with
 * client secret and PKCE S256 checks, JWKS) whose ID tokens a test can make hostile in the ways a real server never
 * would: a tampered payload, a foreign key, a wrong nonce, audience or issuer, an expired token, {@code alg: none}.
 */
final class FakeOidcProvider implements AutoCloseable {

    static final String CLIENT_ID = "fake-client";
    static final String CLIENT_SECRET = "fake-client-secret";

    /** How the next ID token is spoiled. */
    enum Attack {
        NONE,
        TAMPERED_PAYLOAD,
        FOREIGN_KEY,
        WRONG_NONCE,
        WRONG_AUDIENCE,
        WRONG_ISSUER,
        EXPIRED,
        ALG_NONE
    }

    /** The user the next authorization signs in. */
    record FakeUser(String subject, String email, boolean emailVerified, String preferredUsername) {}

    private record Grant(FakeUser user, String nonce, String challenge, String redirectUri, Attack attack) {}

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final RSAKey key;
    private final RSAKey foreignKey;
    private final Map<String, Grant> grants = new ConcurrentHashMap<>();
    private final AtomicReference<FakeUser> nextUser = new AtomicReference<>();
    private final AtomicReference<Attack> nextAttack = new AtomicReference<>(Attack.NONE);

    FakeOidcProvider() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("fake-key").generate();
        foreignKey = new RSAKeyGenerator(2048).keyID("fake-key").generate();
        server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        server.createContext("/.well-known/openid-configuration", this::discovery);
        server.createContext("/authorize", this::authorize);
        server.createContext("/token", this::token);
        server.createContext("/jwks", exchange -> send(exchange, 200, new JWKSet(key.toPublicJWK()).toString()));
        server.start();
    }

    String issuer() {
        return "http://localhost:" + server.getAddress().getPort();
    }

    /** The user the next authorization request signs in, and what is done to its ID token. */
    void next(FakeUser user, Attack attack) {
        nextUser.set(user);
        nextAttack.set(attack);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void discovery(HttpExchange exchange) throws IOException {
        Map<String, Object> document = new HashMap<>();
        document.put("issuer", issuer());
        document.put("authorization_endpoint", issuer() + "/authorize");
        document.put("token_endpoint", issuer() + "/token");
        document.put("jwks_uri", issuer() + "/jwks");
        document.put("response_types_supported", List.of("code"));
        document.put("subject_types_supported", List.of("public"));
        document.put("id_token_signing_alg_values_supported", List.of("RS256"));
        document.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic"));
        document.put("code_challenge_methods_supported", List.of("S256"));
        send(exchange, 200, JSON.writeValueAsString(document));
    }

    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> query = parse(exchange.getRequestURI().getRawQuery());
        FakeUser user = nextUser.get();
        if (!CLIENT_ID.equals(query.get("client_id"))
                || !"S256".equals(query.get("code_challenge_method"))
                || user == null) {
            send(exchange, 400, "{\"error\":\"invalid_request\"}");
            return;
        }
        String code = UUID.randomUUID().toString();
        grants.put(
                code,
                new Grant(
                        user,
                        query.get("nonce"),
                        query.get("code_challenge"),
                        query.get("redirect_uri"),
                        nextAttack.get()));
        exchange.getResponseHeaders()
                .add("Location", query.get("redirect_uri") + "?code=" + code + "&state=" + query.get("state"));
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> form = parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String basic = "Basic "
                + Base64.getEncoder()
                        .encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
        if (!basic.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            send(exchange, 401, "{\"error\":\"invalid_client\"}");
            return;
        }
        Grant grant = grants.remove(String.valueOf(form.get("code")));
        if (grant == null
                || !"authorization_code".equals(form.get("grant_type"))
                || !grant.redirectUri().equals(form.get("redirect_uri"))
                || !grant.challenge()
                        .equals(GitHubProviderClient.challenge(String.valueOf(form.get("code_verifier"))))) {
            send(exchange, 400, "{\"error\":\"invalid_grant\"}");
            return;
        }
        try {
            String idToken = idToken(grant);
            send(
                    exchange,
                    200,
                    JSON.writeValueAsString(Map.of(
                            "access_token",
                            "fake-access-" + UUID.randomUUID(),
                            "token_type",
                            "Bearer",
                            "expires_in",
                            300,
                            "id_token",
                            idToken)));
        } catch (Exception e) {
            send(exchange, 500, "{\"error\":\"server_error\"}");
        }
    }

    private String idToken(Grant grant) throws Exception {
        Instant now = Instant.now();
        Attack attack = grant.attack();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(attack == Attack.WRONG_ISSUER ? "http://evil.example" : issuer())
                .subject(grant.user().subject())
                .audience(attack == Attack.WRONG_AUDIENCE ? "another-client" : CLIENT_ID)
                .issueTime(Date.from(now.minusSeconds(attack == Attack.EXPIRED ? 3600 : 0)))
                .expirationTime(Date.from(attack == Attack.EXPIRED ? now.minusSeconds(600) : now.plusSeconds(300)))
                .claim("nonce", attack == Attack.WRONG_NONCE ? "not-the-nonce-sent" : grant.nonce())
                .claim("email", grant.user().email())
                .claim("email_verified", grant.user().emailVerified())
                .claim("preferred_username", grant.user().preferredUsername())
                .build();
        if (attack == Attack.ALG_NONE) {
            return new PlainJWT(claims).serialize();
        }
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID("fake-key")
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims);
        jwt.sign(new RSASSASigner(attack == Attack.FOREIGN_KEY ? foreignKey : key));
        String compact = jwt.serialize();
        if (attack == Attack.TAMPERED_PAYLOAD) {
            // a valid signature over other claims: the payload now names another subject and email
            String[] parts = compact.split("\\.");
            String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                    .replace(grant.user().subject(), "victim-subject");
            return parts[0] + "."
                    + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                    + "." + parts[2];
        }
        return compact;
    }

    static Map<String, String> parse(String query) {
        Map<String, String> values = new HashMap<>();
        if (query == null || query.isEmpty()) {
            return values;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            values.put(
                    URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return values;
    }

    static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    static URI uri(String value) {
        return URI.create(value);
    }
}
