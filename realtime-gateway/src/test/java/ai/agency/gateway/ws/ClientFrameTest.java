package ai.agency.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The field readers every frame handler relies on to refuse what must never reach a downstream path. */
class ClientFrameTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static ClientFrame frame(String body) {
        return new ClientFrame("chat", "r1", JSON.readTree(body));
    }

    @Test
    void onlyAUuidInItsCanonicalFormIsAUuid() {
        UUID id = UUID.randomUUID();

        assertThat(frame("{\"runId\":\"" + id + "\"}").uuid("runId")).isEqualTo(id);
        assertThat(frame("{\"runId\":\"1-1-1-1-1\"}").uuid("runId")).isNull(); // UUID.fromString would take it
        assertThat(frame("{\"runId\":\"../../admin\"}").uuid("runId")).isNull();
        assertThat(frame("{\"runId\":\"" + id.toString().replace('-', 'x') + "\"}")
                        .uuid("runId"))
                .isNull();
        assertThat(frame("{\"runId\":42}").uuid("runId")).isNull();
        assertThat(frame("{}").uuid("runId")).isNull();
    }

    @Test
    void aStringFieldIsANonBlankString() {
        assertThat(frame("{\"toolName\":\"echo\"}").string("toolName")).isEqualTo("echo");
        assertThat(frame("{\"toolName\":\"  \"}").string("toolName")).isNull();
        assertThat(frame("{\"toolName\":7}").string("toolName")).isNull();
        assertThat(frame("{\"toolName\":null}").string("toolName")).isNull();
        assertThat(frame("{}").string("toolName")).isNull();
    }
}
