package ai.agency.tool;

import ai.agency.common.crypto.MasterKey;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.List;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * All settings of tool-service ({@code agency.tool.*}).
 *
 * @param masterKey base64 of 32 bytes (AES-256) sealing HTTP tools' header values and signing secrets
 *     ({@code AGENCY_MASTER_KEY})
 * @param requireMasterKey refuse to start without a real master key whatever {@code
 *     allowInsecureDevelopmentMasterKey} says (set in the {@code prod} profile)
 * @param allowInsecureDevelopmentMasterKey without a master key, seal with the constant development key instead of
 *     refusing to start ({@code AGENCY_ALLOW_INSECURE_DEVELOPMENT_MASTER_KEY}; throwaway development setups only)
 * @param allowedHosts hosts (exact, case-insensitive) that {@code http_get} and HTTP tools may reach even though
 *     they resolve to loopback/private addresses
 * @param defaultTimeout timeout of a tool that does not name its own
 * @param maxTimeout upper bound of any tool's timeout
 * @param maxResponseBytes the largest body {@code http_get} and HTTP tools accept
 * @param maxRedirects redirects {@code http_get} follows, each re-checked
 * @param circuitFailureRate % of failed calls (of the last {@code circuitWindow}) that opens a tool's circuit
 * @param circuitWindow calls a tool's circuit breaker looks at (also its minimum number of calls)
 * @param circuitOpenWait how long an open circuit refuses calls before trial calls are let through
 * @param maxConcurrentCalls bulkhead: calls of one tool in flight at once (over all users)
 * @param bulkheadMaxWait how long a call waits for a slot of its tool's bulkhead before it is refused with 429 and
 *     {@code Retry-After}; 0 refuses at once (which refuses a fast tool merely because many users called it in the
 *     same second)
 * @param mcpSyncInterval how often the MCP server's tool list is re-read from the registry (changes made on this
 *     instance are published at once; this catches changes made through other instances)
 * @param concurrency how many tool calls one user, and all users together, may have running at once
 * @param mcpSessions how many MCP sessions' owners this instance remembers, and for how long
 * @param idempotency how long executions under an {@code Idempotency-Key} are remembered, and how a duplicate of a
 *     call still running waits
 */
@Validated
@ConfigurationProperties("agency.tool")
public record ToolProperties(
        @DefaultValue("") String masterKey,
        @DefaultValue("false") boolean requireMasterKey,
        @DefaultValue("false") boolean allowInsecureDevelopmentMasterKey,
        @DefaultValue List<String> allowedHosts,
        @DefaultValue("10s") Duration defaultTimeout,
        @DefaultValue("60s") Duration maxTimeout,
        @DefaultValue("1048576") @Min(1024) @Max(52428800) int maxResponseBytes,
        @DefaultValue("5") @Min(0) @Max(20) int maxRedirects,
        @DefaultValue("50") @Min(1) @Max(100) int circuitFailureRate,
        @DefaultValue("10") @Min(1) @Max(1000) int circuitWindow,
        @DefaultValue("30s") Duration circuitOpenWait,
        @DefaultValue("16") @Min(1) @Max(10000) int maxConcurrentCalls,

        @DefaultValue("1s") @DurationMin(seconds = 0) @DurationMax(seconds = 30)
        Duration bulkheadMaxWait,

        @DefaultValue("30s") Duration mcpSyncInterval,
        @DefaultValue @Valid Concurrency concurrency,
        @DefaultValue @Valid McpSessions mcpSessions,
        @DefaultValue @Valid Idempotency idempotency)
        implements MasterKey.Settings {

    /** The master key seals HTTP tools' header values and signing secrets, and MCP servers' headers. */
    @Override
    public String sealedWhat() {
        return "a tool secret";
    }

    /**
     * Tool calls running at once ({@code agency.tool.concurrency.*}), on top of each tool's own bulkhead
     * ({@code max-concurrent-calls}): REST execute, MCP {@code tools/call} and the calls orchestration makes with a
     * user's token all count for that user (the token's subject).
     *
     * @param perUser calls of one user at once, over all tools
     * @param total calls of all users at once on this instance
     * @param maxWait how long a call waits for a free slot before it is refused (429 for the user's, 503 for the total)
     */
    public record Concurrency(
            @DefaultValue("8") @Min(1) @Max(1000) int perUser,
            @DefaultValue("256") @Min(1) @Max(100000) int total,
            @DefaultValue("2s") @DurationMax(seconds = 30) Duration maxWait) {}

    /**
     * The owners of MCP sessions ({@code agency.tool.mcp-sessions.*}). A request on a session whose owner is not
     * remembered (evicted, or never seen by this instance) is refused with 404, after which MCP clients open a new
     * session.
     *
     * @param max sessions remembered; the least recently used are forgotten first
     * @param idleTimeout a session without a request for this long is forgotten
     */
    public record McpSessions(
            @DefaultValue("100000") @Min(100) @Max(10000000) int max,
            @DefaultValue("24h") Duration idleTimeout) {}

    /**
     * Executions under an {@code Idempotency-Key} ({@code agency.tool.idempotency.*}).
     *
     * @param ttl how long a key and its stored result are kept; a repeat after that executes again
     * @param inFlightWait how long a repeat waits for the first call with its key to finish before it is refused
     *     with 409 {@code conflict} ({@code reason: idempotency_key_in_use})
     * @param cleanupInterval how often expired keys are deleted
     */
    public record Idempotency(
            @DefaultValue("24h") @DurationMin(minutes = 1) @DurationMax(days = 30)
            Duration ttl,

            @DefaultValue("10s") @DurationMax(seconds = 60) Duration inFlightWait,
            @DefaultValue("10m") @DurationMin(seconds = 1) Duration cleanupInterval) {}

    public boolean isAllowListed(String host) {
        return host != null && allowedHosts.stream().anyMatch(h -> h.equalsIgnoreCase(host));
    }
}
