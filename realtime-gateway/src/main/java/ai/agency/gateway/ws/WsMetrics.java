package ai.agency.gateway.ws;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * The WebSocket metrics (Prometheus names): {@code agency_websocket_connections} (open connections on this replica),
 * {@code agency_websocket_frames_total{direction="in"|"out", type}}, {@code
 * agency_websocket_time_to_first_chunk_seconds} (from a streaming {@code chat} frame to its first {@code
 * stream_chunk}, histogram) and {@code agency_websocket_resumes_total{outcome}}.
 */
@Component
public class WsMetrics {

    /** Frame types a client may send; anything else is counted as {@code unknown}, unparsable or too large
     * frames as {@code invalid}, frames over the rate limit as {@code rate_limited}. */
    static final Set<String> CLIENT_TYPES = Set.of(
            "ping",
            "chat",
            "tool_call",
            "cancel",
            "resume",
            "session.share",
            "run.subscribe",
            "run.unsubscribe",
            "rate_limited");

    private final MeterRegistry registry;
    private final Timer firstChunk;

    WsMetrics(MeterRegistry registry, ConnectionRegistry connections) {
        this.registry = registry;
        Gauge.builder("agency.websocket.connections", connections, ConnectionRegistry::openCount)
                .description("Open WebSocket connections on this gateway replica")
                .register(registry);
        this.firstChunk = Timer.builder("agency.websocket.time.to.first.chunk")
                .description("From a streaming chat frame to its first relayed stream_chunk")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
    }

    void frameIn(@Nullable String type) {
        String tag = type == null ? "invalid" : CLIENT_TYPES.contains(type) ? type : "unknown";
        frames("in", tag).increment();
    }

    void frameOut(String type) {
        frames("out", type).increment();
    }

    void firstChunk(long startNanos) {
        firstChunk.record(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    void resume(String outcome) {
        Counter.builder("agency.websocket.resumes")
                .description("resume frames by outcome: local, remote (another replica), expired, invalid")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    private Counter frames(String direction, String type) {
        return Counter.builder("agency.websocket.frames")
                .description("WebSocket frames received (in) and sent (out) by type")
                .tag("direction", direction)
                .tag("type", type)
                .register(registry);
    }
}
