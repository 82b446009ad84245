package ai.agency.multimodal.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.multimodal.MultimodalApiTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * multimodal-service has no database, so it reads auth-service's revocation feed over HTTP: a revoked token stops
 * working here within a second too (the attack: keep analysing with the token of a disabled account).
 */
class RevokedTokenTest extends MultimodalApiTest {

    private int analyse(String token) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/analyze/text"))
                                .header("Authorization", "Bearer " + token)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"Hello there.\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void aTokenOfADisabledUserIsRefusedWithinASecond() throws Exception {
        UUID victim = UUID.randomUUID();
        String token = jwts.token(victim, List.of("user"), List.of("read", "write"), Duration.ofMinutes(5), Map.of());
        assertThat(analyse(token)).isEqualTo(200);

        FEED.add("{\"id\":" + (FEED.size() + 1) + ",\"userId\":\"" + victim
                + "\",\"minVersion\":1,\"apiKeyId\":null,\"reason\":\"user_disabled\"}");

        await().atMost(Duration.ofSeconds(1)).until(() -> analyse(token) == 401);
        assertThat(analyse(jwts.user(UUID.randomUUID())))
                .as("others are untouched")
                .isEqualTo(200);
    }
}
