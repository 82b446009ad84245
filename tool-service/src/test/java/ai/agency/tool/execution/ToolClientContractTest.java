package ai.agency.tool.execution;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.client.tool.ToolInfo;
import ai.agency.common.client.tool.ToolResult;
import ai.agency.common.page.Page;
import ai.agency.tool.registry.ToolView;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * What tool-service answers reaches its callers whole: common-lib's {@link ToolResult} and {@link ToolInfo}, read from
 * this service's own answers and written again, give the same JSON (a member added here and not there fails this).
 */
class ToolClientContractTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void everyExecutionAnswerReachesTheCallerUnchanged() {
        for (ExecutionResult result : List.of(
                new ExecutionResult("calculator", true, Map.of("expression", "1+1", "result", 2.0), null, 3),
                new ExecutionResult("http_get", true, List.of(1, "two"), null, 40),
                new ExecutionResult("echo", true, JSON.nullNode(), null, 1),
                new ExecutionResult("echo", true, null, null, 1),
                new ExecutionResult(
                        "calculator", false, null, new ExecutionResult.Failure("validation", "expression: ..."), 0))) {
            String answer = JSON.writeValueAsString(result);

            assertThat(JSON.writeValueAsString(JSON.readValue(answer, ToolResult.class)))
                    .isEqualTo(answer);
        }
    }

    @Test
    void everyMemberOfAListedToolReachesTheCaller() {
        ToolView admins = new ToolView(
                "weather",
                "The weather",
                JSON.readTree("{\"type\":\"object\"}"),
                "http",
                false,
                true,
                5000,
                "https://example.org/weather",
                "POST",
                List.of("X-Key"),
                null);
        String answer = JSON.writeValueAsString(Page.all(List.of(admins)));

        Page<ToolInfo> read = JSON.readValue(answer, new TypeReference<Page<ToolInfo>>() {});

        assertThat(JSON.writeValueAsString(read)).isEqualTo(answer);
    }
}
