package ai.agency.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.gateway.RealtimeTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The console's pages and files carry a Content-Security-Policy that runs only the gateway's own scripts (the browser
 * side, injected script refused, is in {@link ConsoleBrowserTest}).
 */
class ConsolePolicyTest extends RealtimeTestSupport {

    static final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theConsoleIsServedWithAPolicyThatRunsOnlyItsOwnScripts() throws Exception {
        for (String path : List.of(
                "/console/",
                "/console/index.html",
                "/console/app.js",
                "/console/api.js",
                "/console/views/chat.js",
                "/console/console.css")) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            String policy = response.headers()
                    .firstValue("Content-Security-Policy")
                    .orElseThrow(() -> new AssertionError(path + " has no Content-Security-Policy"));
            assertThat(policy.split(";\\s*"))
                    .as(path)
                    .contains(
                            "default-src 'self'",
                            "script-src 'self'",
                            "object-src 'none'",
                            "base-uri 'self'",
                            "frame-ancestors 'none'");
            assertThat(policy).doesNotContain("unsafe-inline", "unsafe-eval", "*");
        }
    }

    @Test
    void theConsoleHasNoInlineScriptOrEventHandlerThePolicyWouldBlock() throws Exception {
        String page = get("/console/").body();
        // one module script, a file of the console's own: modules are never inline either
        String module = "<script type=\"module\" src=\"[^\":]+\"></script>";
        assertThat(page).containsPattern(module);
        assertThat(page.replaceAll(module, "")).doesNotContain("<script");
        assertThat(page).doesNotContainPattern("(?i)\\son[a-z]+\\s*=").doesNotContainPattern("(?i)javascript:");
        assertThat(page).doesNotContainPattern("(?i)\\sstyle\\s*=").doesNotContain("<style");
    }

    @Test
    void theModulesAreServedAsJavaScriptSoTheBrowserRunsThem() throws Exception {
        for (String path : List.of("/console/app.js", "/console/views/workflows.js")) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type").orElse(""))
                    .as(path)
                    .contains("javascript");
        }
    }

    @Test
    void theApiAnswersAreNotPagesAndCarryNoConsolePolicy() throws Exception {
        HttpResponse<String> api = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/sessions/" + UUID.randomUUID()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(api.headers().firstValue("Content-Security-Policy")).isEmpty();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
