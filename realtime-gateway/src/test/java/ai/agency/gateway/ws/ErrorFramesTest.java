package ai.agency.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** How a service's refusal becomes the fields of an {@code error} frame, whichever frame type made the call. */
class ErrorFramesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final ErrorFrames errors = new ErrorFrames(JSON);

    @Test
    void aShedTurnSaysWhenToRetry() {
        JsonNode problem =
                JSON.readTree("{\"errorType\":\"rate_limit\",\"detail\":\"Too many turns right now\",\"status\":429}");

        JsonNode fields = errors.failure(new Downstream.Answer(429, problem, 1L));

        assertThat(fields.path("errorType").asString()).isEqualTo("rate_limit");
        assertThat(fields.path("message").asString()).isEqualTo("Too many turns right now");
        assertThat(fields.path("status").asInt()).isEqualTo(429);
        assertThat(fields.path("retryAfter").asLong()).isEqualTo(1);
    }

    @Test
    void aRefusalWithoutRetryAfterHasNoRetryAfterField() {
        JsonNode problem = JSON.readTree("{\"errorType\":\"not_found\",\"detail\":\"No run 42\"}");

        JsonNode fields = errors.failure(new Downstream.Answer(404, problem));

        assertThat(fields.path("errorType").asString()).isEqualTo("not_found");
        assertThat(fields.has("retryAfter")).isFalse();
    }

    @Test
    void anAnswerThatIsNoProblemIsClassifiedByItsStatus() {
        JsonNode titled = errors.failure(new Downstream.Answer(503, JSON.readTree("{\"title\":\"Down\"}"), 5L));
        JsonNode bare = errors.failure(new Downstream.Answer(404, JSON.createObjectNode()));

        assertThat(titled.path("errorType").asString()).isEqualTo("service_unavailable");
        assertThat(titled.path("message").asString()).isEqualTo("Down");
        assertThat(titled.path("retryAfter").asLong()).isEqualTo(5);
        assertThat(bare.path("errorType").asString()).isEqualTo("not_found");
        assertThat(bare.path("message").asString()).isEqualTo("The service answered 404");
        assertThat(bare.path("status").asInt()).isEqualTo(404);
    }
}
