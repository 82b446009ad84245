package ai.agency.common.accountdata;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The account-data endpoints through a real server: only a token with scope {@code account_data} reaches them, it
 * reads and erases its subject's data only, and it reaches nothing else. Written as the attacks: a user's own full
 * token, an admin's, and no token must not export or erase anyone.
 */
@SpringBootTest(
        classes = AccountDataTestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.application.name=notes-service", "agency.security.revocation.enabled=false"})
class AccountDataControllerTest {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @LocalServerPort
    int port;

    private HttpResponse<String> call(String method, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String dataToken(UUID user) {
        return AccountDataTestApplication.JWTS.withScopes(user, List.of("user"), List.of(AccountData.SCOPE));
    }

    @Test
    void theJobsTokenExportsAndErasesItsSubjectsDataOnly() throws Exception {
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        AccountDataTestApplication.note(alice, "alice's first note");
        AccountDataTestApplication.note(alice, "alice's \"second\"\nnote");
        AccountDataTestApplication.note(bob, "bob's note");

        HttpResponse<String> kinds = call("GET", "/internal/account-data/kinds", dataToken(alice));
        assertThat(kinds.statusCode()).as(kinds.body()).isEqualTo(200);
        assertThat(kinds.body()).contains("\"service\":\"notes-service\"").contains("[\"notes\",\"settings\"]");

        HttpResponse<String> export = call("GET", "/internal/account-data/export/notes", dataToken(alice));
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith(AccountDataController.NDJSON));
        assertThat(export.body().split("\n"))
                .containsExactly("{\"text\":\"alice's first note\"}", "{\"text\":\"alice's \\\"second\\\"\\nnote\"}");
        assertThat(call("GET", "/internal/account-data/export/passwords", dataToken(alice))
                        .statusCode())
                .isEqualTo(404);

        HttpResponse<String> erased = call("DELETE", "/internal/account-data", dataToken(alice));
        assertThat(erased.statusCode()).as(erased.body()).isEqualTo(200);
        assertThat(erased.body()).contains("\"notes\":2").contains("\"settings\":0");
        assertThat(AccountDataTestApplication.NOTES).doesNotContainKey(alice).containsKey(bob);
        HttpResponse<String> again = call("DELETE", "/internal/account-data", dataToken(alice));
        assertThat(again.statusCode()).as("erasing twice is harmless").isEqualTo(200);
        assertThat(again.body()).contains("\"notes\":0");
        assertThat(call("GET", "/internal/account-data/export/notes", dataToken(bob))
                        .body())
                .isEqualTo("{\"text\":\"bob's note\"}\n");
    }

    @Test
    void noOtherTokenReachesAccountDataAndTheJobsTokenReachesNothingElse() throws Exception {
        UUID carol = UUID.randomUUID();
        AccountDataTestApplication.note(carol, "carol's note");
        String full =
                AccountDataTestApplication.JWTS.withScopes(carol, List.of("user"), List.of("read", "write", "delete"));
        String admin = AccountDataTestApplication.JWTS.admin(UUID.randomUUID());
        for (String token : List.of(full, admin)) {
            assertThat(call("GET", "/internal/account-data/kinds", token).statusCode())
                    .isEqualTo(403);
            assertThat(call("GET", "/internal/account-data/export/notes", token).statusCode())
                    .isEqualTo(403);
            assertThat(call("DELETE", "/internal/account-data", token).statusCode())
                    .isEqualTo(403);
        }
        assertThat(call("DELETE", "/internal/account-data", null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/internal/account-data/export/notes", null).statusCode())
                .isEqualTo(401);
        assertThat(AccountDataTestApplication.NOTES.get(carol)).containsExactly("carol's note");

        // the job's token is useless anywhere else
        assertThat(call("GET", "/api/v1/anything", dataToken(carol)).statusCode())
                .isEqualTo(403);
        assertThat(call("DELETE", "/api/v1/anything/1", dataToken(carol)).statusCode())
                .isEqualTo(403);
    }
}
