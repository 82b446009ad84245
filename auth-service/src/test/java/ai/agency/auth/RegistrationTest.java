package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

class RegistrationTest extends AuthApiTest {

    @Test
    void registerAnswers201WithTheNewAccountAsAUser() {
        String username = uniqueUsername("New.User-");
        Response response = post(
                "/api/v1/auth/register",
                Map.of("username", username, "email", username + "@example.com", "password", PASSWORD));

        assertThat(response.status()).as(response.body()).isEqualTo(201);
        JsonNode account = response.json();
        assertThat(account.get("id").asString()).matches("[0-9a-f-]{36}");
        assertThat(account.get("username").asString()).isEqualTo(username);
        assertThat(account.get("email").asString()).isEqualTo(username + "@example.com");
        assertThat(account.get("roles").isArray()).isTrue();
        assertThat(account.get("roles")).hasSize(1);
        assertThat(account.get("roles").get(0).asString()).isEqualTo("user");
        assertThat(account.has("password")).isFalse();
        assertThat(account.has("passwordHash")).isFalse();
    }

    @Test
    void registeringATakenUsernameInAnotherCaseIsAConflict() {
        Account existing = register();

        Response response = post(
                "/api/v1/auth/register",
                Map.of(
                        "username",
                        existing.username().toUpperCase(),
                        "email",
                        "other-" + existing.email(),
                        "password",
                        PASSWORD));

        assertProblem(response, 409, "conflict");
    }

    @Test
    void registeringATakenEmailInAnotherCaseIsAConflict() {
        Account existing = register();

        Response response = post(
                "/api/v1/auth/register",
                Map.of(
                        "username", uniqueUsername("other"),
                        "email", existing.email().toUpperCase(),
                        "password", PASSWORD));

        assertProblem(response, 409, "conflict");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "username, ab",
        "username, has space",
        "username, bad/chars!",
        "username, abcdefghijklmnopqrstuvwxyz0123456",
        "email, not-an-email",
        "password, short",
        "password, 123456789"
    })
    void registerRejectsAnInvalidFieldWithAPerFieldError(String field, String value) {
        String username = uniqueUsername("valid");
        Map<String, String> body = new java.util.HashMap<>(
                Map.of("username", username, "email", username + "@example.com", "password", PASSWORD));
        body.put(field, value);

        JsonNode problem = assertProblem(post("/api/v1/auth/register", body), 400, "validation");

        assertThat(errorFields(problem)).containsExactly(field);
        assertThat(problem.get("errors").get(0).get("message").asString()).isNotBlank();
    }

    @Test
    void registerReportsEveryInvalidField() {
        JsonNode problem = assertProblem(
                post("/api/v1/auth/register", Map.of("username", "a!", "email", "nope", "password", "short")),
                400,
                "validation");

        assertThat(errorFields(problem)).containsExactlyInAnyOrder("username", "email", "password");
    }

    @Test
    void registerWithMalformedJsonIsABadRequest() {
        Response response = send("POST", "/api/v1/auth/register", null, "{\"username\": \"abc\", ");

        JsonNode problem = assertProblem(response, 400, "validation");
        assertThat(problem.get("detail").asString()).isEqualTo("Request body is missing or is not valid JSON");
    }

    @Test
    void anInvalidRegistrationCreatesNoAccount() {
        String username = uniqueUsername("ghost");
        post("/api/v1/auth/register", Map.of("username", username, "email", "nope", "password", PASSWORD));

        assertProblem(login(username, PASSWORD), 401, "authentication");
    }
}
