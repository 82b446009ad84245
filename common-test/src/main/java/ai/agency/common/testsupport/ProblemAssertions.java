package ai.agency.common.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The one way tests check a problem response: status, media type, errorType and the members every problem has. */
public final class ProblemAssertions {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProblemAssertions() {}

    /** Asserts the answer is an {@code application/problem+json} problem of this status and class; returns it. */
    public static JsonNode assertProblem(
            int actualStatus, String contentType, String body, int status, String errorType) {
        assertThat(actualStatus).as(body).isEqualTo(status);
        assertThat(MediaType.parseMediaType(contentType).isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .as("content type %s", contentType)
                .isTrue();
        JsonNode problem = JSON.readTree(body);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("errorType").asString()).isEqualTo(errorType);
        assertThat(problem.get("traceId").asString()).isNotBlank();
        assertThat(problem.get("detail").asString()).isNotBlank();
        return problem;
    }

    /** The {@code field} of each entry of a problem's {@code errors}. */
    public static List<String> errorFields(JsonNode problem) {
        List<String> fields = new ArrayList<>();
        problem.path("errors").forEach(e -> fields.add(e.get("field").asString()));
        return fields;
    }
}
