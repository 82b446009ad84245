package ai.agency.gateway;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the gateway.
 *
 * @param routes each downstream service: where it answers ({@code AGENCY_GATEWAY_ROUTES_MEMORY_URI}) and the path
 *     prefixes routed to it
 * @param circuitBreaker when a downstream is considered down and for how long the gateway answers 503 at once
 * @param realtime the WebSocket endpoint {@code /ws}: limits, heartbeat, replay log
 * @param rateLimit token buckets per user / API key for the REST API, by route class
 * @param maxBodySize a request body larger than this is refused with 413 (a route may allow more)
 * @param cors which browser origins may call the REST API
 * @param sessions collaboration sessions: invitations and the size of their shared context
 * @param trustedProxies the proxies in front of the gateway (an Ingress) whose {@code X-Forwarded-For} names the
 *     client: comma-separated CIDR ranges ({@code 10.0.0.0/8, fd00::/8}) or one regular expression, as Tomcat's
 *     {@code RemoteIpValve} takes them. Empty (the default): no one is believed, the client is the TCP peer
 * @param instanceDownTime how long an instance of a route that refused a connection gets no requests (routes with
 *     several {@code instances})
 * @param instanceProbe the readiness probe of each instance of routes with several {@code instances}: an instance whose
 *     readiness is down gets no requests
 */
@Validated
@ConfigurationProperties("agency.gateway")
public record GatewayProperties(
        @NotEmpty Map<String, @Valid Route> routes,
        @Valid @DefaultValue CircuitBreaker circuitBreaker,
        @Valid @DefaultValue Realtime realtime,
        @Valid @DefaultValue RateLimit rateLimit,
        @DefaultValue("1MB") DataSize maxBodySize,
        @Valid @DefaultValue Cors cors,
        @Valid @DefaultValue Sessions sessions,
        @DefaultValue("") String trustedProxies,
        @DefaultValue("5s") Duration instanceDownTime,
        @Valid @DefaultValue InstanceProbe instanceProbe) {

    /**
     * How the gateway watches the readiness of the instances of routes with several {@code instances} (two replicas
     * without a Kubernetes Service in front; behind a Service its endpoints do this).
     *
     * @param enabled off: instances are skipped only after they refused a connection
     * @param path the readiness endpoint, on each instance's own port (the services' actuator answers there)
     * @param interval how often each instance is asked; well below the services' {@code agency.shutdown.readiness-grace}
     *     (3 s), so an instance that shuts down gets no new request before it stops accepting connections
     * @param timeout connect and answer timeout of one probe (a timed-out probe keeps the last state)
     */
    public record InstanceProbe(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("/actuator/health/readiness") String path,
            @DefaultValue("500ms") Duration interval,
            @DefaultValue("1s") Duration timeout) {}

    /**
     * One downstream service.
     *
     * @param maxBodySize overrides the gateway's {@code max-body-size} for this route (null: the gateway's)
     * @param circuits path patterns of this route that get a circuit breaker of their own, by name (circuit
     *     {@code <route>-<name>}), so that one overloaded or broken operation does not cut off the rest of the
     *     service; paths no circuit names share the route's circuit
     * @param canary a second version of the service that gets a share of this route's requests (null: none)
     * @param instances replicas of the service the route's requests are spread over, round robin, skipping one that
     *     refuses connections (a request it refused goes to the next); empty (the default): {@code uri} alone. Where a
     *     load balancer is in front (a Kubernetes Service), leave it empty
     */
    public record Route(
            @NotNull URI uri,
            @NotEmpty List<String> paths,
            DataSize maxBodySize,
            Map<String, @NotEmpty List<String>> circuits,
            @Valid @Nullable Canary canary,
            List<URI> instances) {

        public Route {
            circuits = circuits == null ? Map.of() : circuits;
            instances = instances == null ? List.of() : List.copyOf(instances);
        }

        /** Where the route's (stable) requests go: its instances, or its URI. */
        public List<URI> targets() {
            return instances.isEmpty() ? List.of(uri) : instances;
        }
    }

    /**
     * The canary of a route: a second version of the service (its own Deployment, its own URI) that gets {@code
     * weight} % of the route's requests, the stable {@code uri} the rest (Spring Cloud Gateway's weight predicate, one
     * weight group per route). The weight can be changed at runtime ({@code /actuator/canary} on the management port,
     * or the Alertmanager receiver that rolls a failing canary back to 0).
     *
     * @param uri where the canary answers
     * @param weight % of the route's requests sent to the canary, 0 to 100
     */
    public record Canary(
            @NotNull URI uri,
            @DefaultValue("0") @Min(0) @Max(100) int weight) {}

    /**
     * REST rate limits: one token bucket per caller (a user, an API key, or — for anonymous requests such as login —
     * a client address) and route class. Each request takes one token; an empty bucket answers 429.
     *
     * @param enabled off: no limits and no {@code RateLimit-*} headers
     * @param mode {@code shared} (default): the buckets are rows in PostgreSQL, so the limit holds across all replicas
     *     (one SQL statement per request); {@code local}: in this replica's memory, no I/O, but N replicas
     *     give a caller N times the limit
     * @param storeTimeout shared mode: the longest a request waits for the store (a connection, a statement) before
     *     the local bucket decides instead
     * @param storeRetry shared mode: after a store failure, requests are decided by local buckets for this long before
     *     the store is tried again
     * @param storePoolSize shared mode: connections of the store's own pool
     * @param purgeInterval shared mode: how often rows of buckets that are full again are deleted
     * @param classes the route classes; {@code default} applies to every limited path no other class names
     * @param paths the request paths that are limited (path patterns): the REST API, tool-service's MCP server and
     *     the incoming webhooks
     */
    public record RateLimit(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("shared") RateLimitMode mode,
            @DefaultValue("500ms") Duration storeTimeout,
            @DefaultValue("10s") Duration storeRetry,
            @DefaultValue("10") @Min(1) int storePoolSize,
            @DefaultValue("5m") Duration purgeInterval,
            Map<String, @Valid RouteClass> classes,

            @DefaultValue({"/api/**", "/mcp", "/mcp/**", "/hooks/**"})
            List<String> paths) {

        public RateLimit {
            classes = classes == null ? Map.of() : classes;
        }
    }

    /** Where the REST rate limits' buckets live. */
    public enum RateLimitMode {
        /** PostgreSQL, shared by every replica. */
        SHARED,
        /** This replica's memory. */
        LOCAL
    }

    /**
     * One route class.
     *
     * @param capacity requests allowed in a burst, and per {@code period} on average
     * @param period the time in which an empty bucket refills completely
     * @param routes the route names this class covers ({@code sessions} is the gateway's own sessions API)
     * @param paths path patterns this class covers besides its routes' (part of a route, e.g. {@code /hooks/**})
     * @param perPath one bucket per request path instead of per caller: for public paths whose callers are
     *     anonymous and whose path names what is limited ({@code /hooks/{webhookId}}: one bucket per webhook)
     */
    public record RouteClass(
            @Min(1) long capacity,
            @NotNull Duration period,
            @DefaultValue List<String> routes,
            @DefaultValue List<String> paths,
            @DefaultValue("false") boolean perPath) {}

    /**
     * CORS for the REST API ({@code /ws} has {@code realtime.allowed-origins}). With no origins, browsers may not
     * call the API from another origin.
     */
    public record Cors(
            @DefaultValue List<String> allowedOrigins,

            @DefaultValue({"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
            List<String> allowedMethods,

            @DefaultValue({
                "Authorization",
                "Content-Type",
                "X-API-Key",
                "X-Request-Id",
                "traceparent",
                "Idempotency-Key"
            })
            List<String> allowedHeaders,

            @DefaultValue({
                "X-Request-Id",
                "Retry-After",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
                "RateLimit-Policy",
                "Idempotent-Replayed"
            })
            List<String> exposedHeaders,

            @DefaultValue("false") boolean allowCredentials,
            @DefaultValue("30m") Duration maxAge) {}

    /**
     * Collaboration sessions ({@code /api/v1/sessions}).
     *
     * @param maxInvitations users one session may invite (its creator not counted); more are refused with 400. At most
     *     1000, the number of ids a create request may carry
     * @param maxContextSize the stored shared context of a session (its JSON text) may not grow past this; a share
     *     that would is refused with 413
     * @param maxShareSize one shared context (its JSON text) larger than this is refused with 413; each share is sent
     *     to every other participant
     */
    public record Sessions(
            @DefaultValue("50") @Min(1) @Max(1000) int maxInvitations,
            @DefaultValue("1MB") @NotNull DataSize maxContextSize,
            @DefaultValue("256KB") @NotNull DataSize maxShareSize) {}

    /**
     * The circuit breakers of the routes (one per route, and one per named path group of a route, see
     * {@link Route#circuits}). Failures are connection failures and timeouts, and answers whose status is in
     * {@code failureStatuses} — except a 503 that carries {@code Retry-After}, which is a healthy service shedding load.
     * A 429 or any other 4xx never counts.
     *
     * @param failureRateThreshold % of failed calls among the last {@code slidingWindowSize} that opens the circuit
     * @param slidingWindowSize calls the failure rate is computed over
     * @param minimumNumberOfCalls calls needed before the failure rate is computed at all
     * @param openStateWait how long an open circuit answers 503 (with this wait as {@code Retry-After}) before it lets
     *     trial calls through
     * @param permittedCallsInHalfOpenState trial calls after {@code openStateWait}; if fewer than the threshold fail,
     *     the circuit closes
     * @param failureStatuses downstream answers that count as failures (5xx only)
     */
    public record CircuitBreaker(
            @DefaultValue("50") @DecimalMin("1") @DecimalMax("100")
            float failureRateThreshold,

            @DefaultValue("20") @Min(1) int slidingWindowSize,
            @DefaultValue("10") @Min(1) int minimumNumberOfCalls,
            @DefaultValue("10s") @NotNull Duration openStateWait,
            @DefaultValue("3") @Min(1) int permittedCallsInHalfOpenState,
            @DefaultValue({"500", "502", "503", "504"}) List<@Min(500) @Max(599) Integer> failureStatuses) {}

    /**
     * The WebSocket endpoint.
     *
     * @param maxFrameBytes a client frame larger than this gets an {@code error} frame (the connection stays open)
     * @param maxConnectionsPerUser further handshakes of the same user are refused with 429
     * @param heartbeatInterval how often the server pings; a connection with no pong for three intervals is closed
     * @param sendTimeLimit a send blocked longer than this (a client too slow to read) closes the connection, 1008
     * @param sendBufferBytes frames buffered for a slow client beyond this close the connection, 1008
     * @param replayTtl how long sent frames stay in the replay log for {@code resume} (at least 2 minutes)
     * @param purgeInterval how often expired replay frames and spilled events are deleted
     * @param resumeGrace how long a stream whose connection dropped keeps running, waiting for a {@code resume}
     * @param requestTimeout timeout of non-streaming calls to the services
     * @param streamIdleTimeout a chat stream that sends nothing for this long is ended with an error
     * @param rateCapacity frames a user may send in a burst
     * @param ratePerSecond frames per second a user's budget refills by
     * @param allowedOrigins origins allowed to open {@code /ws} (the credential is a ticket or token, never a cookie)
     * @param maxRunSubscriptions {@code run.subscribe} streams one connection may hold open at a time
     * @param takeoverTimeout after a {@code resume} of a connection that lived on another replica, how long that
     *     replica has to answer; if none does, it died with the connection, and the streams it was relaying are ended
     *     on the new connection (from the stored answer, else with {@code error stream_interrupted})
     * @param shutdownDrain at a graceful shutdown, how long running streams may take to end by themselves before the
     *     rest are cancelled and the sockets close 1001 (within {@code spring.lifecycle.timeout-per-shutdown-phase})
     * @param shutdownHandover at a graceful shutdown, how long a socket with a running stream stays open waiting for
     *     it to end; then it is closed 1001 while its streams go on (into the replay log) until the drain ends, and
     *     its client resumes them on another replica ({@code resume}), which relays the rest. Sockets with nothing
     *     running close at once. At least {@code shutdown-drain}: busy sockets stay open until their streams end
     */
    public record Realtime(
            @DefaultValue("65536") @Min(1024) int maxFrameBytes,
            @DefaultValue("10") @Min(1) int maxConnectionsPerUser,
            @DefaultValue("25s") Duration heartbeatInterval,
            @DefaultValue("10s") Duration sendTimeLimit,
            @DefaultValue("524288") @Min(1024) int sendBufferBytes,
            @DefaultValue("5m") Duration replayTtl,
            @DefaultValue("30s") Duration purgeInterval,
            @DefaultValue("2m") Duration resumeGrace,
            @DefaultValue("30s") Duration requestTimeout,
            @DefaultValue("120s") Duration streamIdleTimeout,
            @DefaultValue("40") @Min(1) int rateCapacity,
            @DefaultValue("10") @Min(1) int ratePerSecond,
            @DefaultValue("*") List<String> allowedOrigins,
            @DefaultValue("10") @Min(1) int maxRunSubscriptions,
            @DefaultValue("5s") Duration takeoverTimeout,
            @DefaultValue("10s") Duration shutdownDrain,
            @DefaultValue("2s") Duration shutdownHandover) {}
}
