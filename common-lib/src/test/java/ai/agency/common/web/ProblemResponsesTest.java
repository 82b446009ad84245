package ai.agency.common.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** common-lib's web layer in a running service: every failure is a problem the client can read. */
@SpringBootTest(
        classes = ProblemTestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.application.name=problem-test")
class ProblemResponsesTest {

    private static final String PROBLEM_JSON = "application/problem+json";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @LocalServerPort
    int port;

    private final String userToken = ProblemTestApplication.JWTS.user(UUID.randomUUID());

    @Test
    void invalidFieldsAreA400ValidationProblemWithOneErrorPerField() {
        Reply reply = send(post("/test/widgets", "{\"name\":\" \",\"code\":\"toolong\",\"count\":1}")
                .header("X-Request-Id", "client-req-42"));

        assertProblem(reply, 400, "validation");
        assertThat(reply.json().path("errors").isArray()).isTrue();
        assertThat(fields(reply.json().path("errors"))).containsExactlyInAnyOrder("name", "code");
        reply.json()
                .path("errors")
                .forEach(error -> assertThat(error.path("message").asString()).isNotBlank());
        // the request's span names the trace; a client's own X-Request-Id is a tag on that span, not the trace id
        assertThat(reply.json().path("traceId").asString()).matches("[0-9a-f]{32}");
        assertThat(reply.json().path("instance").asString()).isEqualTo("/test/widgets");
    }

    @Test
    void validBodyPassesValidation() {
        Reply reply = send(post("/test/widgets", "{\"name\":\"gear\",\"code\":\"G1\",\"count\":3}"));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("name").asString()).isEqualTo("gear");
        assertThat(reply.json().path("count").asInt()).isEqualTo(3);
    }

    @Test
    void malformedJsonIsA400ValidationProblem() {
        Reply reply = send(post("/test/widgets", "{\"name\": \"gear\", "));

        assertProblem(reply, 400, "validation");
        assertThat(reply.json().path("detail").asString()).isEqualTo("Request body is missing or is not valid JSON");
    }

    @Test
    void missingBodyIsA400ValidationProblem() {
        Reply reply = send(post("/test/widgets", ""));

        assertProblem(reply, 400, "validation");
    }

    @Test
    void textThatCannotBeStoredIsA400NamingTheFieldWhereverItSits() {
        // JSON escapes: a NUL, a lone high surrogate, a lone low surrogate, a low-high pair in the wrong order
        String[][] cases = {
            {"{\"text\":\"tea \\u0000 time\"}", "text", "NUL character (U+0000)"},
            {"{\"tags\":[\"ok\",\"\\ud800\"]}", "tags.1", "unpaired surrogate (\\ud800)"},
            {"{\"labels\":{\"a\":{\"b\":[\"\\udc00\"]}}}", "labels.a", "unpaired surrogate (\\udc00)"},
            {"{\"text\":\"\\ude00\\ud83d\"}", "text", "unpaired surrogate (\\ude00)"},
            {"{\"labels\":{\"k\\u0000\":1}}", "labels", "NUL character (U+0000)"},
        };
        for (String[] c : cases) {
            Reply reply = send(post("/test/notes", c[0]));

            assertProblem(reply, 400, "validation");
            assertThat(fields(reply.json().path("errors"))).as(c[0]).containsExactly(c[1]);
            assertThat(reply.json().path("detail").asString()).as(c[0]).contains(c[2]);
        }
    }

    @Test
    void emojiAndOtherScriptsPassTheTextCheckUnchanged() {
        String text = "I 🐝 love 日本語, naïve \"quotes\" and '; DROP TABLE x; --";
        Reply reply = send(post(
                "/test/notes",
                JSON.writeValueAsString(java.util.Map.of(
                        "text", text, "tags", List.of("😀"), "labels", java.util.Map.of("ключ", "値 🌊")))));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().path("text").asString()).isEqualTo(text);
        assertThat(reply.json().path("tags").get(0).asString()).isEqualTo("😀");
        assertThat(reply.json().path("labels").path("ключ").asString()).isEqualTo("値 🌊");
    }

    @Test
    void aNulCharacterTheDatabaseRefusesIsA400NotA500() {
        Reply reply = send(authorized("/test/nul-in-database"));

        assertProblem(reply, 400, "validation");
        assertThat(reply.json().path("detail").asString()).contains("NUL character (U+0000)");
    }

    @Test
    void scalarsOfTheWrongJsonTypeAreRefusedNotConverted() {
        String[][] cases = {
            {"{\"name\":\"gear\",\"count\":\"3\"}", "count"},
            {"{\"name\":\"gear\",\"count\":3.5}", "count"},
            {"{\"name\":\"gear\",\"count\":true}", "count"},
            {"{\"name\":\"gear\",\"count\":\"\"}", "count"},
            {"{\"name\":123,\"count\":1}", "name"},
            {"{\"name\":\"gear\",\"code\":false,\"count\":1}", "code"},
        };
        for (String[] c : cases) {
            Reply reply = send(post("/test/widgets", c[0]));

            assertProblem(reply, 400, "validation");
            assertThat(fields(reply.json().path("errors"))).as(c[0]).containsExactly(c[1]);
        }
    }

    @Test
    void aUrlTomcatRefusesBeforeAnyServletIsAProblemToo() {
        for (String path : List.of("/test/widgets/%00", "/test/widgets/%2F", "/test/widgets/a%5Cb")) {
            Reply reply = send(authorized(path));

            assertThat(reply.status()).as(path).isEqualTo(400);
            assertThat(reply.response().headers().firstValue("Content-Type"))
                    .as(path)
                    .hasValueSatisfying(type -> assertThat(type).startsWith(PROBLEM_JSON));
            JsonNode json = reply.json();
            assertThat(json.path("errorType").asString()).isEqualTo("validation");
            assertThat(json.path("detail").asString()).contains("malformed");
            assertThat(json.path("traceId").asString()).isNotBlank();
            assertThat(reply.response().headers().firstValue("X-Request-Id"))
                    .hasValue(json.path("traceId").asString());
            assertThat(reply.body()).doesNotContainIgnoringCase("tomcat").doesNotContain("<html");
        }
    }

    @Test
    void wrongJsonTypeForAFieldIsA400NamingTheField() {
        Reply reply = send(post("/test/widgets", "{\"name\":\"gear\",\"code\":\"G1\",\"count\":\"many\"}"));

        assertProblem(reply, 400, "validation");
        assertThat(reply.json().path("detail").asString()).contains("'count'");
        assertThat(fields(reply.json().path("errors"))).containsExactly("count");
    }

    @Test
    void unsupportedMediaTypeIsA415Problem() {
        Reply reply = send(request("/test/widgets")
                .header("Authorization", "Bearer " + userToken)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("name=gear")));

        assertProblem(reply, 415, "validation");
    }

    @Test
    void wrongMethodIsA405ProblemNamingTheAllowedMethod() {
        Reply reply = send(authorized("/test/widgets").DELETE());

        assertProblem(reply, 405, "validation");
        assertThat(reply.response().headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void unknownPathWithAValidTokenIsA404NotFoundProblem() {
        Reply reply = send(authorized("/test/no-such-thing").GET());

        assertProblem(reply, 404, "not_found");
    }

    @Test
    void agencyNotFoundIsA404WithItsDetail() {
        Reply reply = send(authorized("/test/widgets/w-17").GET());

        assertProblem(reply, 404, "not_found");
        assertThat(reply.json().path("detail").asString()).isEqualTo("Widget w-17 was not found");
        assertThat(reply.json().path("title").asString()).isEqualTo("Not Found");
        assertThat(reply.json().path("instance").asString()).isEqualTo("/test/widgets/w-17");
    }

    @Test
    void requestWithoutTokenIsA401AuthenticationProblemWithWwwAuthenticate() {
        Reply reply = send(request("/test/widgets/w-17").GET());

        assertProblem(reply, 401, "authentication");
        assertThat(reply.response().headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(value -> assertThat(value).startsWith("Bearer"));
    }

    @Test
    void tokenSignedByAForeignKeyIsA401() {
        String foreign = ProblemTestApplication.JWTS.foreign().user(UUID.randomUUID());

        Reply reply = send(request("/test/widgets/w-17")
                .header("Authorization", "Bearer " + foreign)
                .GET());

        assertProblem(reply, 401, "authentication");
        assertThat(reply.response().headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(value -> assertThat(value).contains("invalid_token"));
    }

    @Test
    void expiredTokenIsA401() {
        String expired = ProblemTestApplication.JWTS.token(UUID.randomUUID(), List.of("user"), Duration.ofMinutes(-10));

        Reply reply = send(request("/test/widgets/w-17")
                .header("Authorization", "Bearer " + expired)
                .GET());

        assertProblem(reply, 401, "authentication");
        // refused because it expired, not for some other defect of the token
        assertThat(reply.response().headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(value -> assertThat(value).contains("expired"));
    }

    @Test
    void garbageTokenIsA401() {
        Reply reply = send(request("/test/widgets/w-17")
                .header("Authorization", "Bearer not.a.jwt")
                .GET());

        assertProblem(reply, 401, "authentication");
    }

    @Test
    void userTokenOnAdminEndpointIsA403AuthorizationProblem() {
        Reply reply = send(authorized("/test/admin").GET());

        assertProblem(reply, 403, "authorization");
    }

    @Test
    void adminTokenOnAdminEndpointIsAllowed() {
        String admin = ProblemTestApplication.JWTS.admin(UUID.randomUUID());

        Reply reply = send(request("/test/admin")
                .header("Authorization", "Bearer " + admin)
                .GET());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("ok").asBoolean()).isTrue();
    }

    @Test
    void callerParameterCarriesTheTokensSubjectRolesAndScopes() {
        UUID id = UUID.randomUUID();

        Reply reply = send(request("/test/me")
                .header("Authorization", "Bearer " + ProblemTestApplication.JWTS.user(id))
                .GET());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("id").asString()).isEqualTo(id.toString());
        assertThat(reply.json().path("roles").toString()).isEqualTo("[\"user\"]");
        assertThat(reply.json().path("scopes").toString()).isEqualTo("[\"delete\",\"read\",\"write\"]");
    }

    @Test
    void unexpectedExceptionIsA500InternalProblemWithoutInternalDetail() {
        Reply reply = send(authorized("/test/boom").GET());

        assertProblem(reply, 500, "internal");
        assertThat(reply.body())
                .doesNotContain("secret")
                .doesNotContain("Secret")
                .doesNotContain("ai.agency")
                .doesNotContain("java.")
                .doesNotContain("Exception")
                .doesNotContain("\"trace\"")
                .doesNotContainPattern("[a-z]+\\.[a-z]+\\.[A-Z][A-Za-z]+");
    }

    @Test
    void unavailableIsA503ServiceUnavailableProblem() {
        Reply reply = send(authorized("/test/unavailable").GET());

        assertProblem(reply, 503, "service_unavailable");
        assertThat(reply.json().path("detail").asString()).isEqualTo("The memory service is unavailable");
    }

    @Test
    void unavailableCarriesRetryAfter() {
        Reply reply = send(authorized("/test/unavailable").GET());

        assertThat(reply.response().headers().firstValue("Retry-After")).hasValue("5");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"pool-timeout", "refused", "admin-shutdown"})
    void aDatabaseThatIsBusyDownOrRestartingIsA503WithRetryAfterNotA500(String failure) {
        Reply reply = send(authorized("/test/database/" + failure).GET());

        assertProblem(reply, 503, "service_unavailable");
        assertThat(reply.response().headers().firstValue("Retry-After")).hasValue("5");
        assertThat(reply.body()).doesNotContain("JDBC").doesNotContain("5432").doesNotContain("administrator");
    }

    @Test
    void aDatabaseErrorThatIsNotAnOutageStaysA500() {
        Reply reply = send(authorized("/test/database/duplicate").GET());

        assertProblem(reply, 500, "internal");
        assertThat(reply.response().headers().firstValue("Retry-After")).isEmpty();
    }

    @Test
    void extraPropertiesOfAnAgencyExceptionAreProblemMembersButCannotReplaceStandardOnes() {
        Reply reply = send(authorized("/test/reasoned").GET());

        assertProblem(reply, 401, "authentication");
        assertThat(reply.json().path("reason").asString()).isEqualTo("mfa_required");
    }

    @Test
    void rateLimitedIsA429WithRetryAfter() {
        Reply reply = send(authorized("/test/limited").GET());

        assertProblem(reply, 429, "rate_limit");
        assertThat(reply.response().headers().firstValue("Retry-After")).hasValue("30");
    }

    @Test
    void incomingTraceparentsTraceIdIsEchoedAsRequestIdAndTraceId() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

        Reply reply = send(authorized("/test/widgets/w-1")
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .GET());

        assertProblem(reply, 404, "not_found");
        assertThat(reply.response().headers().firstValue("X-Request-Id")).hasValue(traceId);
        assertThat(reply.json().path("traceId").asString()).isEqualTo(traceId);
    }

    @Test
    void unsafeRequestIdIsReplacedByAGeneratedTraceId() {
        Reply reply = send(authorized("/test/widgets/w-1")
                .header("X-Request-Id", "x".repeat(100))
                .GET());

        assertProblem(reply, 404, "not_found");
        assertThat(reply.json().path("traceId").asString()).matches("[0-9a-f]{32}");
    }

    @Test
    void successfulResponsesCarryARequestIdToo() {
        Reply reply = send(authorized("/test/me").header("X-Request-Id", "ok-1").GET());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.response().headers().firstValue("X-Request-Id"))
                .hasValueSatisfying(id -> assertThat(id).matches("[0-9a-f]{32}"));
    }

    @Test
    void requestRejectedByTheFirewallIsA400ValidationProblem() {
        // StrictHttpFirewall refuses encoded dot segments, ';' and '//' before any controller runs
        Reply reply = send(authorized("/test/%2e%2e/admin").GET());

        assertProblem(reply, 400, "validation");
    }

    @Test
    void healthIsOpenWithoutAToken() {
        Reply reply = send(request("/actuator/health").GET());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("status").asString()).isEqualTo("UP");
    }

    /** Status, problem+json, errorType, the standard members, and a traceId equal to the X-Request-Id header. */
    private static void assertProblem(Reply reply, int status, String errorType) {
        assertThat(reply.status()).as("status of %s", reply.body()).isEqualTo(status);
        assertThat(reply.response().headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith(PROBLEM_JSON));
        JsonNode json = reply.json();
        assertThat(json.path("errorType").asString()).isEqualTo(errorType);
        assertThat(json.path("status").asInt()).isEqualTo(status);
        assertThat(json.path("type").asString()).isEqualTo("about:blank");
        assertThat(json.path("title").asString()).isNotBlank();
        assertThat(json.path("detail").asString()).isNotBlank();
        String traceId = json.path("traceId").asString();
        assertThat(traceId).isNotBlank();
        assertThat(reply.response().headers().firstValue("X-Request-Id")).hasValue(traceId);
    }

    private static List<String> fields(JsonNode errors) {
        List<String> fields = new ArrayList<>();
        errors.forEach(error -> fields.add(error.path("field").asString()));
        return fields;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(20));
    }

    private HttpRequest.Builder authorized(String path) {
        return request(path).header("Authorization", "Bearer " + userToken);
    }

    private HttpRequest.Builder post(String path, String json) {
        return authorized(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    private static Reply send(HttpRequest.Builder request) {
        try {
            return new Reply(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private record Reply(HttpResponse<String> response) {

        int status() {
            return response.statusCode();
        }

        String body() {
            return response.body();
        }

        JsonNode json() {
            return JSON.readTree(response.body());
        }
    }
}
