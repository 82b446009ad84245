package ai.agency.orchestration.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.OrchestrationApiTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Runs the examples of {@code docs/workflows.md} as they are written there: the heredoc bodies of the blocks marked
 * {@code <!-- example: <name>/definition -->} and {@code …/input}, agents created by the {@code …/agents} block,
 * approvals as the input block makes them, and the text the {@code …/expect: <text>} marker promises in the run.
 */
class WorkflowExamplesTest extends OrchestrationApiTest {

    private static final Pattern AGENT = Pattern.compile("(?m)^(\\w+)=\\$\\(curl .*?-d '(\\{[^']*})'");
    private static final Pattern APPROVAL = Pattern.compile("/steps/([\\w-]+)/approval .*?-d '(\\{[^']*})'");

    @ParameterizedTest
    @ValueSource(strings = {"quote", "research", "code"})
    void theDocumentedExampleRunsAsWritten(String name) throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "workflows.md"));
        String user = newUser();
        Map<String, String> variables = new HashMap<>();
        String agents = block(doc, name + "/agents");
        if (agents != null) {
            Matcher m = AGENT.matcher(joinLines(agents));
            while (m.find()) {
                Response agent = post("/api/v1/agents", user, JSON.readTree(m.group(2)));
                assertThat(agent.status()).as(agent.body()).isEqualTo(201);
                variables.put(m.group(1), agent.json().get("id").asString());
            }
        }
        String definitionBlock = block(doc, name + "/definition");
        String definition = heredoc(definitionBlock);
        if (!definitionBlock.contains("<<'EOF'")) {
            for (Map.Entry<String, String> variable : variables.entrySet()) {
                definition = definition.replace("$" + variable.getKey(), variable.getValue());
            }
        }
        Response created = post("/api/v1/workflows", user, JSON.readTree(definition));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String inputBlock = block(doc, name + "/input");
        Response started = post(
                "/api/v1/workflows/" + created.json().get("id").asString() + "/runs",
                user,
                JSON.readTree(heredoc(inputBlock)));
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String runId = started.json().get("runId").asString();

        Matcher approval = APPROVAL.matcher(joinLines(inputBlock));
        while (approval.find()) {
            String step = approval.group(1);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> get("/api/v1/runs/" + runId, user)
                            .json()
                            .get("status")
                            .asString()
                            .equals("waiting_approval"));
            Response decided = post(
                    "/api/v1/runs/" + runId + "/steps/" + step + "/approval", user, JSON.readTree(approval.group(2)));
            assertThat(decided.status()).as(decided.body()).isEqualTo(200);
        }
        JsonNode[] run = {null};
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            run[0] = get("/api/v1/runs/" + runId, user).json();
            assertThat(run[0].get("status").asString()).as(run[0].toString()).isEqualTo("succeeded");
        });
        Matcher expect =
                Pattern.compile("<!-- example: " + name + "/expect: (.*?) -->").matcher(doc);
        assertThat(expect.find()).as("an expect marker for " + name).isTrue();
        assertThat(run[0].get("output").toString()).contains(expect.group(1));
    }

    /** The first fenced block after the marker {@code <!-- example: <key> -->}, or null when there is none. */
    private static String block(String doc, String key) {
        int marker = doc.indexOf("<!-- example: " + key + " -->");
        if (marker < 0) {
            return null;
        }
        int open = doc.indexOf("```", marker);
        int start = doc.indexOf('\n', open) + 1;
        return doc.substring(start, doc.indexOf("```", start));
    }

    /** The body of the block's heredoc ({@code <<'EOF'} or {@code <<EOF} … {@code EOF}). */
    private static String heredoc(String block) {
        int start = block.indexOf('\n', block.indexOf("<<")) + 1;
        int end = block.indexOf("\nEOF", start);
        return block.substring(start, end);
    }

    private static String joinLines(String shell) {
        return shell.replace("\\\n", " ");
    }
}
