package ai.agency.orchestration.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.security.Caller;
import ai.agency.orchestration.FakeUpstreams;
import ai.agency.orchestration.OrchestrationApiTest;
import ai.agency.orchestration.StatementLog;
import ai.agency.orchestration.conversation.StoredMessage;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The work of one chat turn (docs/benchmarks/platform.md, "Work per chat turn"): the turn runs on the test's thread,
 * so the SQL statements of its critical path are counted exactly; the stub servers count its calls to memory-,
 * tool- and auth-service, the memory extraction after the answer included.
 */
class TurnWorkTest extends OrchestrationApiTest {

    @Autowired
    ChatService chat;

    private List<String> turn(Caller caller, UUID conversation, String content, AtomicReference<StoredMessage> answer) {
        return StatementLog.of(() -> answer.set(
                chat.run(chat.prepare(caller, conversation, new ChatRequest(content, false)), TurnEvents.NONE, false)));
    }

    private List<String> calls(Caller caller, int from) {
        return STUB_REQUESTS.subList(from, STUB_REQUESTS.size()).stream()
                .filter(r -> caller.id().toString().equals(r.user()))
                .map(StubRequest::path)
                .toList();
    }

    private long profileLookups(String token) {
        return FakeUpstreams.received("/auth/api/v1/users/me").stream()
                .filter(r -> ("Bearer " + token).equals(r.header("Authorization")))
                .count();
    }

    @Test
    void aTurnWithRecallAndACalculatorTakesSixStatementsAndFourCalls() {
        String token = newUser();
        Caller caller = Caller.of(jwts.decoder().decode(token));
        UUID conversation = UUID.fromString(newConversation(token));
        AtomicReference<StoredMessage> answer = new AtomicReference<>();

        for (int round = 1; round <= 3; round++) {
            int callsBefore = STUB_REQUESTS.size();
            List<String> statements = turn(caller, conversation, "What is 17 * " + round + "?", answer);

            assertThat(answer.get().content()).contains(Integer.toString(17 * round));
            // the conversation, the agent, the history window with the count of all messages (one statement), the
            // user's message, the answer and, in its transaction, its usage events (one statement)
            assertThat(statements).as(String.join("\n---\n", statements)).hasSize(6);
            assertThat(statements.get(5)).contains("usage_outbox");
            assertThat(statements.get(2)).contains("count(*)").contains("LIMIT");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> calls(caller, callsBefore).contains("/memory/api/v1/memories"));
            // recall, tool list (cached for 0 s in these tests), the calculator, the extraction after the answer
            assertThat(calls(caller, callsBefore))
                    .containsExactlyInAnyOrder(
                            "/memory/api/v1/memories/search",
                            "/tool/api/v1/tools",
                            "/tool/api/v1/tools/calculator/execute",
                            "/memory/api/v1/memories");
        }
        // the profile is asked for once, then reused for profile-cache-ttl
        assertThat(profileLookups(token)).isEqualTo(1);
    }
}
