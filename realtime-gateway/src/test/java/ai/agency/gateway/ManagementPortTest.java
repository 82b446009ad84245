package ai.agency.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * The gateway is the one public port: its metrics, health details and (in production) API docs are not served
 * there. The actuator answers on the management port, which is never published or routed.
 */
class ManagementPortTest extends RealtimeTestSupport {

    static final HttpClient http = HttpClient.newHttpClient();

    @Autowired
    Environment environment;

    @Test
    void aClientOnThePublicPortGetsNoMetricsAndNoHealthDetails() throws Exception {
        // before: /actuator/prometheus (every path's request counts and latencies, WebSocket and JVM internals) and
        // /actuator/health with its components answered anyone who could reach the gateway
        for (String path : new String[] {
            "/actuator/prometheus", "/actuator/health", "/actuator/health/readiness", "/actuator/info", "/actuator"
        }) {
            assertThat(get(port, path).statusCode()).as(path).isEqualTo(404);
        }

        HttpResponse<String> ready = get(port, "/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ready.body()).propertyNames()).containsExactly("status");
        assertThat(get(port, "/livez").body()).isEqualTo("{\"status\":\"UP\"}");
    }

    @Test
    void theManagementPortServesMetricsAndProbes() throws Exception {
        assertThat(managementPort).isNotEqualTo(port);

        HttpResponse<String> metrics = get(managementPort, "/actuator/prometheus");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_memory_used_bytes", "application=\"realtime-gateway\"");
        assertThat(get(managementPort, "/actuator/health/readiness").statusCode())
                .isEqualTo(200);
        assertThat(get(managementPort, "/actuator/health/liveness").statusCode())
                .isEqualTo(200);
    }

    @Test
    void inTheProdProfileThePublicPortServesNoSwaggerUiOrApiDocs() throws Exception {
        try (ConfigurableApplicationContext prod = startReplica(environment, "spring.profiles.active=prod")) {
            int prodPort = portOf(prod);
            for (String path : new String[] {
                "/swagger-ui.html",
                "/swagger-ui/index.html",
                "/v3/api-docs",
                "/v3/api-docs/swagger-config",
                "/api-docs/tool"
            }) {
                assertThat(get(prodPort, path).statusCode()).as(path).isEqualTo(404);
            }
        }
        assertThat(get(port, "/v3/api-docs").statusCode())
                .as("outside prod the docs stay")
                .isEqualTo(200);
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
