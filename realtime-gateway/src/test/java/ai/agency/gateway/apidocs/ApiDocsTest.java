package ai.agency.gateway.apidocs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.ProblemAssertions;
import ai.agency.gateway.GatewayProperties;
import ai.agency.gateway.RealtimeTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Swagger UI at the gateway lists every service; their API docs come through the gateway, without a token. */
class ApiDocsTest extends RealtimeTestSupport {

    static final HttpClient http = HttpClient.newHttpClient();

    @Autowired
    GatewayProperties properties;

    @Test
    void swaggerUiListsTheGatewayAndEveryRoutedService() throws Exception {
        HttpResponse<String> config = get("/v3/api-docs/swagger-config");

        assertThat(config.statusCode()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        JSON.readTree(config.body()).path("urls").forEach(u -> {
            names.add(u.path("name").asString());
            assertThat(u.path("url").asString()).startsWith("/");
        });
        List<String> expected = new ArrayList<>(properties.routes().keySet());
        expected.add("realtime-gateway");
        assertThat(names).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(names).contains("auth", "memory", "tool", "orchestration", "multimodal");
        assertThat(get("/swagger-ui/index.html").statusCode()).isEqualTo(200);
    }

    @Test
    void aServicesApiDocsAreFetchedThroughTheGatewayWithTheGatewayAsServer() throws Exception {
        HttpResponse<String> response = get("/api-docs/tool");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode doc = JSON.readTree(response.body());
        assertThat(doc.path("info").path("title").asString()).isEqualTo("stub service");
        assertThat(doc.path("paths").has("/api/v1/tools")).isTrue();
        assertThat(doc.path("servers")).hasSize(1);
        assertThat(doc.path("servers").get(0).path("url").asString()).isEqualTo("http://localhost:" + port);
    }

    @Test
    void anUnknownServiceIs404() throws Exception {
        HttpResponse<String> response = get("/api-docs/nope");
        ProblemAssertions.assertProblem(
                response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null),
                response.body(),
                404,
                "not_found");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
