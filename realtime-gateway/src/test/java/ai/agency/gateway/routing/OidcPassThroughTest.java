package ai.agency.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.gateway.RealtimeTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Sign-in with a provider goes through the gateway without a token, and the gateway hands auth-service's redirects
 * to the browser as they are: it does not follow them, and passes {@code Location}, {@code Set-Cookie} and the
 * browser's {@code Cookie} through (the flow cookie binds the flow to the browser).
 */
class OidcPassThroughTest extends RealtimeTestSupport {

    private final HttpClient http =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theProviderRedirectsAndTheFlowCookiePassThroughWithoutAToken() throws Exception {
        HttpResponse<String> providers = get("/api/v1/auth/oidc/providers", null);
        assertThat(providers.statusCode()).isEqualTo(200);
        assertThat(providers.body()).contains("\"keycloak\"");

        HttpResponse<String> authorize = get("/api/v1/auth/oidc/stub/authorize?redirect=/console/", null);
        assertThat(authorize.statusCode()).isEqualTo(302);
        assertThat(authorize.headers().firstValue("Location")).hasValue("https://idp.example/authorize?state=s1");
        assertThat(authorize.headers().firstValue("Set-Cookie").orElseThrow()).startsWith("agency_oidc_flow=agb_1");

        String code = "c" + UUID.randomUUID();
        String query = "code=" + code + "&state=s1";
        HttpResponse<String> callback = get("/api/v1/auth/oidc/stub/callback?" + query, "agency_oidc_flow=agb_1");
        assertThat(callback.statusCode()).isEqualTo(302);
        assertThat(callback.headers().firstValue("Location")).hasValue("/console/#code=agc_1");
        // (the gateway may reorder the query's parameters)
        assertThat(OIDC_CALLBACK_COOKIES.get("last"))
                .contains("code=" + code)
                .contains("state=s1")
                .endsWith(" agency_oidc_flow=agb_1");
    }
}
