package ai.agency.gateway.limits;

import ai.agency.common.error.ErrorType;
import ai.agency.common.error.Problems;
import ai.agency.gateway.GatewayProperties;
import ai.agency.gateway.apikey.ApiKeyExchangeFilter;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.PathContainer;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Token-bucket rate limits (Bucket4j) for the REST API ({@code /api/**}), tool-service's MCP server ({@code /mcp}) and
 * the incoming webhooks ({@code /hooks/**}) — the paths of {@code agency.gateway.rate-limit.paths} — one bucket per
 * caller and route class. The caller is the API key when the request came with one, else the authenticated user, else
 * (public paths such as login) the client address; a class with {@code per-path} has one bucket per request path
 * instead (a webhook's URL, whoever sends to it). Every limited answer carries the IETF draft headers {@code RateLimit-Limit},
 * {@code RateLimit-Remaining}, {@code RateLimit-Reset} and {@code RateLimit-Policy}; an empty bucket answers 429
 * {@code rate_limit} with {@code Retry-After}. Runs after Spring Security, so the user is known. Where the buckets
 * live is {@link RateLimitBuckets}: PostgreSQL shared by every replica ({@link SharedBuckets}, the default), or this
 * replica's memory ({@link LocalBuckets}). A bucket's key is {@code class|capacity/period|caller}, so a changed limit
 * starts fresh buckets instead of inheriting the old ones.
 */
public class RateLimitFilter extends OncePerRequestFilter {

    static final String DEFAULT_CLASS = "default";

    /** A route class with the path patterns of its routes. */
    private record Matcher(String routeClass, List<PathPattern> patterns) {}

    private final Map<String, GatewayProperties.RouteClass> classes;
    private final List<Matcher> matchers = new ArrayList<>();
    private final Map<String, BucketConfiguration> configurations = new HashMap<>();
    private final RateLimitBuckets buckets;
    private final List<PathPattern> limitedPaths;

    public RateLimitFilter(
            GatewayProperties properties, Map<String, List<String>> extraRoutes, RateLimitBuckets buckets) {
        this.classes = properties.rateLimit().classes();
        if (!classes.containsKey(DEFAULT_CLASS)) {
            throw new IllegalStateException("agency.gateway.rate-limit.classes.default is required");
        }
        PathPatternParser parser = PathPatternParser.defaultInstance;
        classes.forEach((name, routeClass) -> {
            List<PathPattern> patterns = new ArrayList<>();
            routeClass.paths().forEach(p -> patterns.add(parser.parse(p))); // before the routes': more specific
            for (String route : routeClass.routes()) {
                List<String> paths = extraRoutes.containsKey(route)
                        ? extraRoutes.get(route)
                        : properties.routes().containsKey(route)
                                ? properties.routes().get(route).paths()
                                : null;
                if (paths == null) {
                    throw new IllegalStateException("agency.gateway.rate-limit.classes." + name
                            + ".routes names unknown route '" + route + "'");
                }
                paths.forEach(p -> patterns.add(parser.parse(p)));
            }
            if (!patterns.isEmpty()) {
                matchers.add(new Matcher(name, patterns));
            }
            configurations.put(
                    name,
                    BucketConfiguration.builder()
                            .addLimit(l -> l.capacity(routeClass.capacity())
                                    .refillGreedy(routeClass.capacity(), routeClass.period()))
                            .build());
        });
        this.buckets = buckets;
        this.limitedPaths =
                properties.rateLimit().paths().stream().map(parser::parse).toList();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        if ("OPTIONS".equals(request.getMethod())) {
            return true;
        }
        PathContainer path = PathContainer.parsePath(request.getRequestURI());
        return limitedPaths.stream().noneMatch(pattern -> pattern.matches(path));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String routeClass = classOf(request.getRequestURI());
        // classOf answers one of the configured classes
        GatewayProperties.RouteClass limit = Objects.requireNonNull(classes.get(routeClass));
        String key = routeClass + "|" + limit.capacity() + "/" + limit.period() + "|"
                + (limit.perPath() ? pathOf(request) : callerOf(request));
        ConsumptionProbe probe = buckets.tryConsume(key, Objects.requireNonNull(configurations.get(routeClass)));
        response.setHeader("RateLimit-Limit", Long.toString(limit.capacity()));
        response.setHeader("RateLimit-Remaining", Long.toString(probe.getRemainingTokens()));
        response.setHeader("RateLimit-Reset", Long.toString(seconds(probe.getNanosToWaitForReset())));
        response.setHeader(
                "RateLimit-Policy",
                limit.capacity() + ";w=" + Math.max(1, limit.period().toSeconds()));
        if (probe.isConsumed()) {
            chain.doFilter(request, response);
            return;
        }
        long retryAfter = Math.max(1, seconds(probe.getNanosToWaitForRefill()));
        response.setHeader("Retry-After", Long.toString(retryAfter));
        Problems.write(
                request,
                response,
                Problems.of(
                        HttpStatus.TOO_MANY_REQUESTS,
                        ErrorType.RATE_LIMIT,
                        "Rate limit exceeded: at most " + limit.capacity() + " requests per "
                                + limit.period().toSeconds() + " s for '" + routeClass + "' routes; retry in "
                                + retryAfter + " s",
                        request.getRequestURI(),
                        null));
    }

    String classOf(String path) {
        PathContainer container = PathContainer.parsePath(path);
        for (Matcher matcher : matchers) {
            for (PathPattern pattern : matcher.patterns()) {
                if (pattern.matches(container)) {
                    return matcher.routeClass();
                }
            }
        }
        return DEFAULT_CLASS;
    }

    /**
     * The request path, for classes limited per path (one bucket per webhook, whoever sends); a long one by its hash,
     * so that no path can make a key the store cannot index.
     */
    static String pathOf(HttpServletRequest request) {
        String path = request.getRequestURI();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.length() <= 128) {
            return "path:" + path;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(path.getBytes(StandardCharsets.UTF_8));
            return "path#" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static String callerOf(HttpServletRequest request) {
        Object keyId = request.getAttribute(ApiKeyExchangeFilter.KEY_ID_ATTRIBUTE);
        if (keyId != null) {
            return "key:" + keyId;
        }
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication instanceof JwtAuthenticationToken jwt && jwt.isAuthenticated()) {
            return "user:" + jwt.getToken().getSubject();
        }
        return "ip:" + request.getRemoteAddr();
    }

    private static long seconds(long nanos) {
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }
}
