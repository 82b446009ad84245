package ai.agency.orchestration.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.FakeUpstreams;
import ai.agency.orchestration.FakeUpstreams.Answer;
import ai.agency.orchestration.OrchestrationApiTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Provider failures by class, against the fake Anthropic and Ollama servers: a rate limit (429) is retried within
 * {@code agency.orchestration.providers.retry} (3 attempts in the tests, 50 ms initial backoff) honouring
 * {@code Retry-After}, then reported as {@code rate_limit}; refused credentials (401/403) as {@code authentication}
 * naming the provider but never the key; an outage as {@code service_unavailable}.
 */
class ProviderFailureTest extends OrchestrationApiTest {

    static final String ANTHROPIC_ERROR = "{\"type\":\"error\",\"error\":{\"type\":\"%s\",\"message\":\"%s\"}}";

    @BeforeEach
    void reset() {
        FakeUpstreams.reset();
    }

    private String conversation(String token, String provider) {
        Response agent = post(
                "/api/v1/agents",
                token,
                Map.of("name", provider + " agent", "model", Map.of("provider", provider), "tools", List.of()));
        assertThat(agent.status()).as(agent.body()).isEqualTo(201);
        return newConversation(token, agent.json().get("id").asString());
    }

    private static Answer anthropicRateLimit(String retryAfterSeconds) {
        return Answer.json(
                        429,
                        ANTHROPIC_ERROR.formatted(
                                "rate_limit_error", "Number of requests has exceeded your rate limit"))
                .withHeader("retry-after", retryAfterSeconds);
    }

    @Test
    void twoRateLimitsThenSuccessStreamsTheAnswer() {
        FakeUpstreams.script(
                AnthropicProviderTest.MESSAGES,
                anthropicRateLimit("0"),
                anthropicRateLimit("0"),
                AnthropicProviderTest.answering("Hello after waiting."));
        String token = newUser();
        List<Event> events = stream(conversation(token, "anthropic"), token, "Hello?");

        assertThat(events.getLast().name()).as(events.toString()).isEqualTo("end");
        assertThat(events).noneMatch(e -> e.name().equals("error"));
        assertThat(text(events)).isEqualTo("Hello after waiting.");
        assertThat(FakeUpstreams.received(AnthropicProviderTest.MESSAGES)).hasSize(3);
    }

    @Test
    void aRateLimitThatOutlastsTheBudgetEndsWithARateLimitError() {
        FakeUpstreams.script(
                OllamaProviderTest.CHAT,
                Answer.json(429, "{\"error\":\"too many requests\"}"),
                Answer.json(429, "{\"error\":\"too many requests\"}"),
                Answer.json(429, "{\"error\":\"too many requests\"}"),
                OllamaProviderTest.answering("never sent"));
        String token = newUser();
        String conversation = conversation(token, "ollama");
        List<Event> events = stream(conversation, token, "Hello?");

        Event last = events.getLast();
        assertThat(last.name()).isEqualTo("error");
        assertThat(last.data().get("errorType").asString()).isEqualTo("rate_limit");
        assertThat(last.data().get("message").asString()).contains("'ollama'").contains("429");
        assertThat(FakeUpstreams.received(OllamaProviderTest.CHAT)).hasSize(3); // max-attempts
        JsonNode stored = get("/api/v1/conversations/" + conversation + "/messages", token)
                .json()
                .get("items")
                .get(1);
        assertThat(stored.get("status").asString()).isEqualTo("failed");
    }

    @Test
    void aRetryAfterBeyondTheBudgetIsNotWaitedFor() {
        FakeUpstreams.script(
                AnthropicProviderTest.MESSAGES,
                anthropicRateLimit("3600"),
                AnthropicProviderTest.answering("never sent"));
        String token = newUser();
        Response response = post(
                "/api/v1/conversations/" + conversation(token, "anthropic") + "/messages",
                token,
                Map.of("content", "Hello?"));

        JsonNode problem = assertProblem(response, 429, "rate_limit");
        assertThat(problem.get("provider").asString()).isEqualTo("anthropic");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("3600");
        assertThat(FakeUpstreams.received(AnthropicProviderTest.MESSAGES)).hasSize(1);
    }

    @Test
    void refusedCredentialsAreAnAuthenticationErrorNamingTheProviderButNotTheKey() {
        FakeUpstreams.script(
                AnthropicProviderTest.MESSAGES,
                Answer.json(401, ANTHROPIC_ERROR.formatted("authentication_error", "invalid x-api-key")));
        String token = newUser();
        List<Event> events = stream(conversation(token, "anthropic"), token, "Hello?");

        Event last = events.getLast();
        assertThat(last.name()).isEqualTo("error");
        assertThat(last.data().get("errorType").asString()).isEqualTo("authentication");
        assertThat(last.data().get("message").asString())
                .contains("'anthropic'")
                .contains("credentials")
                .doesNotContain("test-anthropic-key");
        assertThat(FakeUpstreams.received(AnthropicProviderTest.MESSAGES)).hasSize(1); // never retried

        FakeUpstreams.script(OllamaProviderTest.CHAT, Answer.json(403, "{\"error\":\"forbidden\"}"));
        Response refused = post(
                "/api/v1/conversations/" + conversation(token, "ollama") + "/messages",
                token,
                Map.of("content", "Hello?"));
        JsonNode problem = assertProblem(refused, 502, "authentication");
        assertThat(problem.get("detail").asString()).contains("'ollama'");
    }

    @Test
    void anOutageIsServiceUnavailable() {
        FakeUpstreams.script(
                AnthropicProviderTest.MESSAGES,
                Answer.json(529, ANTHROPIC_ERROR.formatted("overloaded_error", "Overloaded")));
        String token = newUser();
        List<Event> events = stream(conversation(token, "anthropic"), token, "Hello?");
        assertThat(events.getLast().data().get("errorType").asString()).isEqualTo("service_unavailable");

        FakeUpstreams.script(OllamaProviderTest.CHAT, Answer.json(503, "{\"error\":\"loading\"}"));
        assertProblem(
                post(
                        "/api/v1/conversations/" + conversation(token, "ollama") + "/messages",
                        token,
                        Map.of("content", "Hello?")),
                503,
                "service_unavailable");
    }
}
