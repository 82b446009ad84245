package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class RequestValidationTest extends MemoryApiTest {

    private static final List<Map<String, String>> ONE_USER_MESSAGE =
            List.of(Map.of("role", "user", "content", "I like tea"));

    @Test
    void contentAndMessagesTogetherAreRefused() {
        JsonNode problem = assertProblem(
                add(newUser(), Map.of("content", "I like tea", "messages", ONE_USER_MESSAGE)), 400, "validation");

        assertThat(errorFields(problem)).containsExactly("content");
    }

    @Test
    void neitherContentNorMessagesIsRefused() {
        JsonNode problem = assertProblem(add(newUser(), Map.of("agentId", "a")), 400, "validation");

        assertThat(errorFields(problem)).containsExactly("content");
    }

    @Test
    void blankContentIsRefused() {
        JsonNode problem = assertProblem(add(newUser(), Map.of("content", " \t\n ")), 400, "validation");

        assertThat(errorFields(problem)).containsExactly("content");
        JsonNode empty = assertProblem(add(newUser(), Map.of("content", "")), 400, "validation");
        assertThat(errorFields(empty)).containsExactly("content");
    }

    @Test
    void textTheModelCannotReadIsABadRequestAndNothingIsStored() {
        String user = newUser();
        // zero-width and format characters only: not blank to Java, but no word piece for the model
        JsonNode content = assertProblem(add(user, Map.of("content", "\u200b\u200d\u2060")), 400, "validation");
        JsonNode query = assertProblem(search(user, Map.of("query", "\u200b\u200b")), 400, "validation");

        assertThat(content.path("detail").asString()).contains("nothing the embedding model can read");
        assertThat(query.path("detail").asString()).contains("nothing the embedding model can read");
        assertThat(get("/api/v1/memories", user).json().get("items")).isEmpty();
    }

    @Test
    void textPostgresqlCannotStoreExactlyIsABadRequestAndNothingIsStored() {
        String user = newUser();
        // raw JSON: the escapes reach the service as written (a Java string with a lone surrogate would not)
        JsonNode nul = refused(user, "/api/v1/memories", "{\"content\": \"I like \\u0000 tea\"}");
        JsonNode surrogate =
                refused(user, "/api/v1/memories", "{\"content\": \"I like \\ud800 tea\", \"infer\": false}");
        JsonNode inMessage = refused(
                user, "/api/v1/memories", "{\"messages\": [{\"role\": \"user\", \"content\": \"I am \\udc00 Bob\"}]}");
        JsonNode inMetadata =
                refused(user, "/api/v1/memories", "{\"content\": \"tea\", \"metadata\": {\"k\": \"\\u0000\"}}");
        JsonNode query = refused(user, "/api/v1/memories/search", "{\"query\": \"tea \\u0000\"}");
        JsonNode agentParameter = assertProblem(get("/api/v1/memories?agentId=%00", user), 400, "validation");

        assertThat(errorFields(nul)).containsExactly("content");
        assertThat(nul.get("detail").asString()).contains("NUL character (U+0000)");
        assertThat(errorFields(surrogate)).containsExactly("content");
        assertThat(surrogate.get("detail").asString()).contains("unpaired surrogate (\\ud800)");
        assertThat(errorFields(inMessage)).containsExactly("messages.0.content");
        assertThat(errorFields(inMetadata)).containsExactly("metadata.k");
        assertThat(errorFields(query)).containsExactly("query");
        assertThat(agentParameter.get("detail").asString()).contains("NUL character (U+0000)");
        JsonNode listed = get("/api/v1/memories", user).json();
        assertThat(listed.get("items")).isEmpty();
    }

    @Test
    void messagesWithoutAUserMessageAreRefused() {
        JsonNode problem = assertProblem(
                add(newUser(), Map.of("messages", List.of(Map.of("role", "assistant", "content", "Hello!")))),
                400,
                "validation");

        assertThat(errorFields(problem)).containsExactly("messages");
    }

    @Test
    void aMessageWithAnUnknownRoleIsRefused() {
        JsonNode problem = assertProblem(
                add(newUser(), Map.of("messages", List.of(Map.of("role", "wizard", "content", "Abracadabra")))),
                400,
                "validation");

        assertThat(errorFields(problem)).singleElement().asString().endsWith("role");
    }

    @Test
    void aNullMessageIsABadRequestNotAServerError() {
        JsonNode problem = refused(newUser(), "/api/v1/memories", "{\"messages\": [null]}");

        assertThat(errorFields(problem)).isNotEmpty();
    }

    @Test
    void importanceAboveOneIsRefused() {
        JsonNode problem =
                assertProblem(add(newUser(), Map.of("content", "I like tea", "importance", 1.5)), 400, "validation");

        assertThat(errorFields(problem)).containsExactly("importance");
    }

    @Test
    void searchLimitMustBeBetween1And100() {
        JsonNode zero = assertProblem(search(newUser(), Map.of("query", "tea", "limit", 0)), 400, "validation");
        JsonNode tooMany = assertProblem(search(newUser(), Map.of("query", "tea", "limit", 101)), 400, "validation");

        assertThat(errorFields(zero)).containsExactly("limit");
        assertThat(errorFields(tooMany)).containsExactly("limit");
        assertThat(search(newUser(), Map.of("query", "tea", "limit", 100)).status())
                .isEqualTo(200);
    }

    @Test
    void aBlankSearchQueryIsRefused() {
        JsonNode blank = assertProblem(search(newUser(), Map.of("query", "   ")), 400, "validation");
        JsonNode missing = assertProblem(search(newUser(), Map.of("limit", 5)), 400, "validation");

        assertThat(errorFields(blank)).containsExactly("query");
        assertThat(errorFields(missing)).containsExactly("query");
    }

    @Test
    void aNonUuidIdInThePathIsABadRequest() {
        JsonNode onGet = assertProblem(get("/api/v1/memories/not-a-uuid", newUser()), 400, "validation");
        JsonNode onDelete = assertProblem(delete("/api/v1/memories/12345", newUser()), 400, "validation");

        assertThat(errorFields(onGet)).containsExactly("id");
        assertThat(errorFields(onDelete)).containsExactly("id");
    }

    @Test
    void malformedJsonIsABadRequest() {
        JsonNode onAdd = refused(newUser(), "/api/v1/memories", "{\"content\": \"unterminated");
        JsonNode onSearch = refused(newUser(), "/api/v1/memories/search", "not json");

        assertThat(onAdd.get("detail").asString()).isEqualTo("Request body is missing or is not valid JSON");
        assertThat(onSearch.get("detail").asString()).isEqualTo("Request body is missing or is not valid JSON");
    }

    @Test
    void aValueOfTheWrongTypeNamesTheField() {
        JsonNode problem =
                refused(newUser(), "/api/v1/memories", "{\"content\": \"I like tea\", \"importance\": \"high\"}");

        assertThat(errorFields(problem)).containsExactly("importance");
    }

    @Test
    void valuesThatJacksonCouldConvertAreRefusedToo() {
        String user = newUser();
        JsonNode limitAsText = refused(user, "/api/v1/memories/search", "{\"query\": \"tea\", \"limit\": \"10\"}");
        JsonNode fractionalLimit = refused(user, "/api/v1/memories/search", "{\"query\": \"tea\", \"limit\": 10.5}");
        JsonNode numericTags = refused(user, "/api/v1/memories", "{\"content\": \"I like tea\", \"tags\": [1, 2]}");
        JsonNode numericContent = refused(user, "/api/v1/memories", "{\"content\": 42}");

        assertThat(errorFields(limitAsText)).containsExactly("limit");
        assertThat(errorFields(fractionalLimit)).containsExactly("limit");
        assertThat(errorFields(numericTags)).containsExactly("tags.0");
        assertThat(errorFields(numericContent)).containsExactly("content");
        assertThat(get("/api/v1/memories", user).json().get("items")).isEmpty();
    }

    /** Posts raw JSON (escapes reach the service as written) and returns the 400 validation problem it must get. */
    private JsonNode refused(String token, String path, String rawJson) {
        return assertProblem(send("POST", path, token, rawJson), 400, "validation");
    }
}
