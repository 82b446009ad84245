package ai.agency.orchestration.chat;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.FakeUpstreams;
import ai.agency.orchestration.OrchestrationApiTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The turn fetches the caller's profile from auth-service ({@code GET /api/v1/users/me} with the caller's token),
 * puts {@code profileRole} and {@code preferences} into the system prompt the provider receives (the fake OpenAI
 * server), reuses it briefly, and answers without it when auth-service is down.
 */
class PersonalisationTest extends OrchestrationApiTest {

    private static final String ANSWER =
            "{\"id\":\"chatcmpl-p\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                    + "\"model\":\"fake-gpt\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Olá!\"},"
                    + "\"finish_reason\":\"stop\"}]}";

    @BeforeEach
    void reset() {
        FakeUpstreams.reset();
        OPENAI_REQUESTS.clear();
        OPENAI_SCRIPT.clear();
    }

    @AfterEach
    void authUp() {
        FakeUpstreams.AUTH_DOWN.set(false);
    }

    private String openAiConversation(String token) {
        Response agent = post(
                "/api/v1/agents",
                token,
                Map.of("name", "Remote", "systemPrompt", "You are helpful.", "model", Map.of("provider", "openai")));
        assertThat(agent.status()).as(agent.body()).isEqualTo(201);
        return newConversation(token, agent.json().get("id").asString());
    }

    private String systemPrompt(int request) {
        return OPENAI_REQUESTS
                .get(request)
                .get("messages")
                .get(0)
                .get("content")
                .toString();
    }

    private long profileLookups(String token) {
        return FakeUpstreams.received("/auth/api/v1/users/me").stream()
                .filter(r -> ("Bearer " + token).equals(r.header("Authorization")))
                .count();
    }

    @Test
    void theProfileGoesIntoTheSystemPromptAndIsReused() {
        UUID user = UUID.randomUUID();
        String token = jwts.user(user);
        FakeUpstreams.PROFILES.put(user.toString(), """
                {"id": "%s", "username": "ana", "email": "ana@example.com", "roles": ["user"],
                 "profileRole": "data engineer", "preferences": {"language": "Portuguese", "tone": "concise"},
                 "createdAt": "2026-01-01T00:00:00Z"}
                """.formatted(user));
        OPENAI_SCRIPT.add(List.of(ANSWER));
        OPENAI_SCRIPT.add(List.of(ANSWER));
        String conversation = openAiConversation(token);

        List<Event> events = stream(conversation, token, "Hello!");
        assertThat(text(events)).isEqualTo("Olá!");
        String system = systemPrompt(0);
        assertThat(system)
                .contains("You are helpful.")
                .contains("profileRole: data engineer")
                .contains("preferences.language: Portuguese")
                .contains("preferences.tone: concise");
        assertThat(profileLookups(token)).isEqualTo(1);

        stream(conversation, token, "Hello again!");
        assertThat(systemPrompt(1)).contains("profileRole: data engineer");
        assertThat(profileLookups(token)).as("cached for profile-cache-ttl").isEqualTo(1);
    }

    @Test
    void withoutAuthServiceTheTurnStillAnswers() {
        FakeUpstreams.AUTH_DOWN.set(true);
        UUID user = UUID.randomUUID();
        String token = jwts.user(user);
        FakeUpstreams.PROFILES.put(user.toString(), "{\"profileRole\": \"never seen\", \"preferences\": {}}");
        OPENAI_SCRIPT.add(List.of(ANSWER));

        List<Event> events = stream(openAiConversation(token), token, "Hello!");
        assertThat(events.getLast().name()).isEqualTo("end");
        assertThat(text(events)).isEqualTo("Olá!");
        assertThat(profileLookups(token)).isEqualTo(1);
        assertThat(systemPrompt(0)).contains("You are helpful.").doesNotContain("About the user");
    }

    @Test
    void aUserWithoutProfileGetsNoProfileBlock() {
        String token = newUser(); // auth-service answers 404 for it
        OPENAI_SCRIPT.add(List.of(ANSWER));
        stream(openAiConversation(token), token, "Hello!");
        assertThat(systemPrompt(0)).doesNotContain("About the user");
    }
}
