package ai.agency.gateway.ws;

import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import ai.agency.common.security.ProtectedPaths;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/realtime/stats} (admins): this replica's WebSocket connections — open now, opened since start,
 * and the mean ping → pong round trip of the open ones. Across replicas, use the metrics.
 */
@RestController
class RealtimeStatsController {

    /** The answer. */
    record Stats(int active, long total, @Nullable Double averageHeartbeatLatencyMs) {}

    private final ConnectionRegistry registry;

    RealtimeStatsController(ConnectionRegistry registry) {
        this.registry = registry;
    }

    @GetMapping("/api/v1/realtime/stats")
    Stats stats(Caller caller) {
        if (!caller.isAdmin()) {
            throw AgencyException.forbidden("Only admins may read connection statistics");
        }
        return new Stats(registry.openCount(), registry.openedTotal(), registry.averageHeartbeatMillis());
    }

    @Configuration(proxyBeanMethods = false)
    static class Paths {
        @Bean
        ProtectedPaths realtimePaths() {
            return () -> List.of("/api/v1/realtime/**");
        }
    }
}
