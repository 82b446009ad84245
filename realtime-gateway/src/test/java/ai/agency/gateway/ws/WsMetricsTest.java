package ai.agency.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.gateway.RealtimeTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The WebSocket metrics as Prometheus scrapes them from {@code /actuator/prometheus}, and the admins' stats. */
class WsMetricsTest extends RealtimeTestSupport {

    static final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theConnectionGaugeFollowsConnectsAndDisconnects() {
        double before = scrape("agency_websocket_connections", "");

        Client one = connect(JWTS.user(UUID.randomUUID()));
        one.next("ready");
        Client two = connect(JWTS.user(UUID.randomUUID()));
        two.next("ready");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() ->
                        assertThat(scrape("agency_websocket_connections", "")).isEqualTo(before + 2));

        one.ws.sendClose(1000, "bye").join();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() ->
                        assertThat(scrape("agency_websocket_connections", "")).isEqualTo(before + 1));
        two.ws.abort(); // a dropped TCP connection counts down too
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() ->
                        assertThat(scrape("agency_websocket_connections", "")).isEqualTo(before));
    }

    @Test
    void framesAreCountedByDirectionAndTypeAndTheFirstChunkIsTimed() {
        double pingsIn = scrape("agency_websocket_frames_total", "direction=\"in\",type=\"ping\"");
        double pongsOut = scrape("agency_websocket_frames_total", "direction=\"out\",type=\"pong\"");
        double unknownIn = scrape("agency_websocket_frames_total", "direction=\"in\",type=\"unknown\"");
        double invalidIn = scrape("agency_websocket_frames_total", "direction=\"in\",type=\"invalid\"");
        double firstChunks = scrape("agency_websocket_time_to_first_chunk_seconds_count", "");

        Client client = connect(JWTS.user(UUID.randomUUID()));
        client.next("ready");
        client.send(Map.of("type", "ping", "id", "1"));
        client.next("pong");
        client.send(Map.of("type", "ping", "id", "2"));
        client.next("pong");
        client.send(Map.of("type", "warp-drive", "id", "3"));
        client.next("error");
        client.send("not json");
        client.next("error");
        client.send(Map.of("type", "chat", "id", "c", "content", "two words"));
        client.next("stream_end");

        assertThat(scrape("agency_websocket_frames_total", "direction=\"in\",type=\"ping\""))
                .isEqualTo(pingsIn + 2);
        assertThat(scrape("agency_websocket_frames_total", "direction=\"out\",type=\"pong\""))
                .isEqualTo(pongsOut + 2);
        assertThat(scrape("agency_websocket_frames_total", "direction=\"in\",type=\"unknown\""))
                .isEqualTo(unknownIn + 1);
        assertThat(scrape("agency_websocket_frames_total", "direction=\"in\",type=\"invalid\""))
                .isEqualTo(invalidIn + 1);
        assertThat(scrape("agency_websocket_time_to_first_chunk_seconds_count", ""))
                .isEqualTo(firstChunks + 1);
        assertThat(scrape("agency_websocket_time_to_first_chunk_seconds_bucket", "le=\"+Inf\""))
                .isEqualTo(firstChunks + 1);
    }

    @Test
    void adminsSeeConnectionStatsWithHeartbeatLatencyOthersAreRefused() throws Exception {
        Client client = connect(JWTS.user(UUID.randomUUID()));
        client.next("ready");
        String admin = JWTS.admin(UUID.randomUUID());

        // the shared context pings every second; the JDK client answers each ping
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            JsonNode stats = JSON.readTree(stats("Bearer " + admin).body());
            assertThat(stats.path("active").asInt()).isPositive();
            assertThat(stats.path("total").asLong())
                    .isGreaterThanOrEqualTo(stats.path("active").asLong());
            assertThat(stats.path("averageHeartbeatLatencyMs").isNumber()).isTrue();
            assertThat(stats.path("averageHeartbeatLatencyMs").asDouble()).isNotNegative();
        });
        HttpResponse<String> user = stats("Bearer " + JWTS.user(UUID.randomUUID()));
        assertThat(user.statusCode()).isEqualTo(403);
        assertThat(user.body()).contains("\"errorType\":\"authorization\"");
        assertThat(stats(null).statusCode()).isEqualTo(401);
    }

    private HttpResponse<String> stats(String authorization) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/realtime/stats"));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the first sample of {@code name} whose labels contain {@code labels} (0 when there is none). */
    private double scrape(String name, String labels) {
        try {
            String body = http.send(
                            HttpRequest.newBuilder(
                                            URI.create("http://localhost:" + managementPort + "/actuator/prometheus"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            for (String line : body.split("\n")) {
                if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                    String labelPart = line.contains("{") ? line.substring(line.indexOf('{'), line.indexOf('}')) : "";
                    if (labelPart.contains(labels)) {
                        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                }
            }
            return 0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
