package ai.agency.orchestration.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.OrchestrationApiTest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

class FeedbackTest extends OrchestrationApiTest {

    @Autowired
    private JdbcClient jdbc;

    private String feedbackPath(String conversation, String message) {
        return "/api/v1/conversations/" + conversation + "/messages/" + message + "/feedback";
    }

    private Map<String, Object> stored(String messageId) {
        return jdbc.sql("SELECT rating, comment FROM message_feedback WHERE message_id = :id")
                .param("id", UUID.fromString(messageId))
                .query()
                .singleRow();
    }

    @Test
    void aRatingOfAnAnswerIsStoredAndAnotherReplacesIt() {
        String owner = newUser();
        String conversation = newConversation(owner);
        String answer = chat(conversation, owner, "What is 6 * 7?").get("id").asString();

        Response up = post(feedbackPath(conversation, answer), owner, Map.of("rating", "up"));
        assertThat(up.status()).as(up.body()).isEqualTo(204);
        assertThat(stored(answer)).containsEntry("rating", "up").containsEntry("comment", null);

        Response down =
                post(feedbackPath(conversation, answer), owner, Map.of("rating", "down", "comment", "too terse"));
        assertThat(down.status()).as(down.body()).isEqualTo(204);
        assertThat(stored(answer)).containsEntry("rating", "down").containsEntry("comment", "too terse");
        assertThat(jdbc.sql("SELECT count(*) FROM message_feedback WHERE message_id = :id")
                        .param("id", UUID.fromString(answer))
                        .query(Long.class)
                        .single())
                .isEqualTo(1L);
    }

    @Test
    void onlyTheOwnersAssistantMessagesCanBeRated() {
        String owner = newUser();
        String conversation = newConversation(owner);
        chat(conversation, owner, "What is 6 * 7?");
        JsonNode messages = get("/api/v1/conversations/" + conversation + "/messages", owner)
                .json()
                .get("items");
        String question = messages.get(0).get("id").asString();
        String answer = messages.get(1).get("id").asString();

        JsonNode userMessage = assertProblem(
                post(feedbackPath(conversation, question), owner, Map.of("rating", "up")), 400, "validation");
        assertThat(userMessage.get("errors").get(0).get("field").asString()).isEqualTo("messageId");

        String stranger = newUser();
        assertProblem(post(feedbackPath(conversation, answer), stranger, Map.of("rating", "up")), 404, "not_found");
        String strangersConversation = newConversation(stranger);
        assertProblem(
                post(feedbackPath(strangersConversation, answer), stranger, Map.of("rating", "up")), 404, "not_found");
        assertProblem(
                post(feedbackPath(conversation, UUID.randomUUID().toString()), owner, Map.of("rating", "up")),
                404,
                "not_found");

        JsonNode bad = assertProblem(
                post(feedbackPath(conversation, answer), owner, Map.of("rating", "meh")), 400, "validation");
        assertThat(bad.get("errors").get(0).get("field").asString()).isEqualTo("rating");
        JsonNode missing = assertProblem(post(feedbackPath(conversation, answer), owner, Map.of()), 400, "validation");
        assertThat(missing.get("errors").get(0).get("field").asString()).isEqualTo("rating");
        JsonNode long_ = assertProblem(
                post(feedbackPath(conversation, answer), owner, Map.of("rating", "up", "comment", "x".repeat(2001))),
                400,
                "validation");
        assertThat(long_.get("errors").get(0).get("field").asString()).isEqualTo("comment");
        assertProblem(post(feedbackPath(conversation, "nonsense"), owner, Map.of("rating", "up")), 400, "validation");

        assertThat(jdbc.sql("SELECT count(*) FROM message_feedback WHERE message_id IN (:ids)")
                        .param("ids", java.util.List.of(UUID.fromString(answer), UUID.fromString(question)))
                        .query(Long.class)
                        .single())
                .isZero();
    }
}
