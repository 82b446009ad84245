package ai.agency.common.client.tool;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.page.Page;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The records put on the wire what tool-service reads and pass on everything it answers, unchanged. */
class ToolApiJsonTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void anExecutionAnswerSurvivesTheRoundTripUnchanged() {
        for (String answer : new String[] {
            "{\"tool\":\"calculator\",\"success\":true,\"data\":{\"expression\":\"1+1\",\"result\":2.0},"
                    + "\"executionTimeMs\":3}",
            "{\"tool\":\"http_get\",\"success\":true,\"data\":[1,\"two\",{\"three\":null}],\"executionTimeMs\":40}",
            "{\"tool\":\"echo\",\"success\":true,\"data\":null,\"executionTimeMs\":1}",
            "{\"tool\":\"echo\",\"success\":true,\"executionTimeMs\":1}",
            "{\"tool\":\"calculator\",\"success\":false,"
                    + "\"error\":{\"errorType\":\"validation\",\"message\":\"expression: the expression ...\"},"
                    + "\"executionTimeMs\":0}"
        }) {
            ToolResult read = JSON.readValue(answer, ToolResult.class);

            assertThat(JSON.writeValueAsString(read)).isEqualTo(answer);
        }
    }

    @Test
    void aFailureDecidedByTheCallerHasTheEnvelopesShape() {
        assertThat(JSON.writeValueAsString(ToolResult.failed("calculator", "network", "tool-service is unavailable")))
                .isEqualTo("{\"tool\":\"calculator\",\"success\":false,"
                        + "\"error\":{\"errorType\":\"network\",\"message\":\"tool-service is unavailable\"},"
                        + "\"executionTimeMs\":0}");
    }

    @Test
    void theRequestCarriesTheParametersAsGiven() {
        ExecuteToolRequest request =
                new ExecuteToolRequest(JSON.readTree("{\"expression\":\"(2 + 3) * 4\",\"n\":[1]}"));

        assertThat(JSON.writeValueAsString(request))
                .isEqualTo("{\"parameters\":{\"expression\":\"(2 + 3) * 4\",\"n\":[1]}}");
    }

    @Test
    void aListPageIsReadWithEveryMemberAndUnknownOnesIgnored() {
        String answer = "{\"items\":[{\"name\":\"calculator\",\"description\":\"Evaluates arithmetic\","
                + "\"parameters\":{\"type\":\"object\",\"required\":[\"expression\"]},\"source\":\"builtin\","
                + "\"enabled\":true,\"write\":false,\"timeoutMs\":10000,\"addedLater\":{\"x\":1}},"
                + "{\"name\":\"weather\",\"parameters\":{\"type\":\"object\"},\"source\":\"http\",\"enabled\":false,"
                + "\"endpoint\":\"https://example.org/w\",\"method\":\"GET\",\"headerNames\":[\"X-Key\"]},"
                + "{\"name\":\"old\",\"parameters\":{}}],\"nextCursor\":null}";

        Page<ToolInfo> page = JSON.readValue(answer, new TypeReference<Page<ToolInfo>>() {});

        assertThat(page.items()).hasSize(3);
        ToolInfo calculator = page.items().getFirst();
        assertThat(calculator.name()).isEqualTo("calculator");
        assertThat(calculator.description()).isEqualTo("Evaluates arithmetic");
        assertThat(JSON.writeValueAsString(calculator.parameters()))
                .isEqualTo("{\"type\":\"object\",\"required\":[\"expression\"]}");
        assertThat(calculator.timeoutMs()).isEqualTo(10_000);
        assertThat(page.items()).extracting(ToolInfo::isEnabled).containsExactly(true, false, true);
        assertThat(page.items().get(1).headerNames()).containsExactly("X-Key");
    }
}
