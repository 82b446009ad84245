package ai.agency.common.client.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The records put on the wire exactly what memory-service reads and pass on everything it answers. */
class MemoryApiJsonTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void requestsSendOnlyTheMembersThatWereGiven() {
        assertThat(JSON.writeValueAsString(SearchMemoryRequest.of("tea", 5)))
                .isEqualTo("{\"query\":\"tea\",\"limit\":5}");
        assertThat(JSON.writeValueAsString(AddMemoryRequest.extractFrom(
                        List.of(new AddMemoryRequest.Message("user", "I like tea")), Map.of("source", "chat"))))
                .isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":\"I like tea\"}],"
                        + "\"metadata\":{\"source\":\"chat\"},\"infer\":true}");
    }

    @Test
    void factsThatChangeAreSentByTheNamesMemoryServiceReads() {
        UUID old = UUID.fromString("0b7e4a4e-8a86-4c1a-9a8e-3f1f0d7c2a11");
        Instant at = Instant.parse("2025-03-01T00:00:00Z");

        assertThat(JSON.writeValueAsString(new AddMemoryRequest(
                        "I joined Globex", null, null, null, null, null, null, null, null, at, List.of(old))))
                .isEqualTo("{\"content\":\"I joined Globex\",\"validFrom\":\"2025-03-01T00:00:00Z\","
                        + "\"supersedes\":[\"0b7e4a4e-8a86-4c1a-9a8e-3f1f0d7c2a11\"]}");
        assertThat(JSON.writeValueAsString(new SearchMemoryRequest("job", null, null, null, at, null)))
                .isEqualTo("{\"query\":\"job\",\"asOf\":\"2025-03-01T00:00:00Z\"}");
        assertThat(JSON.writeValueAsString(new SearchMemoryRequest("job", null, null, null, null, true)))
                .isEqualTo("{\"query\":\"job\",\"includeInvalid\":true}");
    }

    @Test
    void aSearchAnswerSurvivesTheRoundTripUnchanged() {
        String answer = "{\"results\":[{\"id\":\"0b7e4a4e-8a86-4c1a-9a8e-3f1f0d7c2a11\",\"memory\":\"likes tea\","
                + "\"score\":0.9,\"similarity\":0.71,\"textScore\":null,\"tags\":[\"drinks\"],\"importance\":0.5,"
                + "\"metadata\":{\"source\":\"chat\",\"n\":3},\"agentId\":null,\"sessionId\":\"s1\","
                + "\"createdAt\":\"2026-12-07T15:00:00.123456Z\",\"updatedAt\":\"2026-12-07T15:00:01Z\","
                + "\"validFrom\":\"2025-03-01T00:00:00Z\",\"invalidAt\":null,\"supersededBy\":null}]}";

        SearchMemoryResponse read = JSON.readValue(answer, SearchMemoryResponse.class);

        assertThat(JSON.readTree(JSON.writeValueAsString(read))).isEqualTo(JSON.readTree(answer));
    }

    @Test
    void anAnswerWithoutResultsHasNone() {
        assertThat(JSON.readValue("{}", SearchMemoryResponse.class).results()).isEmpty();
        assertThat(JSON.readValue("{}", AddMemoryResponse.class).results()).isEmpty();
    }
}
