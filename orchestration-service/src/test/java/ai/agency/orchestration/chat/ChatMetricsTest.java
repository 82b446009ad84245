package ai.agency.orchestration.chat;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.orchestration.OrchestrationApiTest;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The chat metrics that docs/operations.md's dashboards use, read from {@code /actuator/prometheus} after one
 * local-provider turn: the histogram buckets of time to first token and turn duration, tokens in/out, tool rounds.
 */
class ChatMetricsTest extends OrchestrationApiTest {

    private static final String MODEL = "model=\"local-rules-1\"";
    private static final String COMPLETE = "outcome=\"complete\"";

    private List<String> scrape() {
        try {
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create("http://localhost:" + port + "/actuator/prometheus"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return Arrays.asList(response.body().split("\n"));
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The value of the series of {@code metric} that has all {@code labels} ({@code name="value"}), or -1. */
    private static double value(List<String> lines, String metric, String... labels) {
        return lines.stream()
                .filter(l -> l.startsWith(metric + "{") && Arrays.stream(labels).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElse(-1);
    }

    @Test
    void oneLocalTurnIsCountedUnderTheDashboardNames() {
        String local = "provider=\"local\"";
        List<String> before = scrape();
        double turns = value(before, "agency_chat_turn_seconds_count", local, MODEL, COMPLETE);
        double rounds = value(before, "agency_chat_tool_rounds_sum", local);
        assertThat(turns).as("registered at start").isGreaterThanOrEqualTo(0);

        String token = newUser();
        assertThat(chat(newConversation(token), token, "What is 3 * 3?")
                        .get("content")
                        .asString())
                .isEqualTo("3 * 3 = 9.");

        List<String> after = scrape();
        assertThat(value(after, "agency_chat_turn_seconds_count", local, MODEL, COMPLETE))
                .isEqualTo(turns + 1);
        assertThat(value(after, "agency_chat_tool_rounds_sum", local)).isEqualTo(rounds + 1);
        assertThat(after)
                .anyMatch(l -> l.startsWith("agency_chat_first_token_seconds_bucket{") && l.contains(local))
                .anyMatch(l -> l.startsWith("agency_chat_turn_seconds_bucket{") && l.contains(local))
                .anyMatch(l -> l.startsWith("agency_chat_tokens_total{")
                        && l.contains("direction=\"in\"")
                        && l.contains(local))
                .anyMatch(l -> l.startsWith("agency_chat_tokens_total{")
                        && l.contains("direction=\"out\"")
                        && l.contains(local));
    }
}
