package ai.agency.auth.oidc;

import ai.agency.auth.AuthProperties;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * GitHub's OAuth2 (not OpenID Connect: no ID token, no nonce): the code flow with state and PKCE, then the user from
 * {@code GET /user} (subject: its numeric id) and its verified primary email from {@code GET /user/emails}. The three
 * URLs are settings, so that a test can point them at a local server.
 */
final class GitHubProviderClient implements ProviderClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final AuthProperties.OidcProvider settings;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    GitHubProviderClient(AuthProperties.OidcProvider settings) {
        this.settings = settings;
    }

    @Override
    public URI authorizationUri(String state, String nonce, String codeVerifier, URI redirectUri) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("client_id", settings.clientId());
        query.put("redirect_uri", redirectUri.toString());
        query.put("scope", String.join(" ", settings.scopes()));
        query.put("state", state);
        query.put("code_challenge", challenge(codeVerifier));
        query.put("code_challenge_method", "S256");
        query.put("allow_signup", "true");
        return URI.create(settings.authorizationUri() + "?" + form(query));
    }

    @Override
    public ProviderUser complete(String code, String nonce, String codeVerifier, URI redirectUri) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", settings.clientId());
        form.put("client_secret", settings.clientSecret());
        form.put("code", code);
        form.put("redirect_uri", redirectUri.toString());
        form.put("code_verifier", codeVerifier);
        JsonNode token = send(HttpRequest.newBuilder(URI.create(settings.tokenUri()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(form))));
        // GitHub answers a bad or expired code with 200 and {"error": "bad_verification_code"}
        String accessToken = token.path("access_token").asString("");
        if (token.has("error") || accessToken.isBlank()) {
            throw new SignInFailure(
                    "code_rejected",
                    "GitHub refused the code: " + token.path("error").asString("no access_token"));
        }
        JsonNode user = send(api(settings.userInfoUri(), accessToken));
        JsonNode emails = send(api(settings.userInfoUri() + "/emails", accessToken));
        String id = user.path("id").asString("");
        if (id.isBlank() || !user.path("id").isNumber()) {
            throw new SignInFailure("provider_error", "GitHub's /user answered no numeric id");
        }
        String verifiedPrimary = null;
        for (JsonNode email : emails) {
            if (email.path("primary").asBoolean(false) && email.path("verified").asBoolean(false)) {
                verifiedPrimary = email.path("email").asString(null);
            }
        }
        String email =
                verifiedPrimary != null ? verifiedPrimary : user.path("email").asString(null);
        return new ProviderUser(
                id, email, verifiedPrimary != null, user.path("login").asString(null), List.of());
    }

    private static HttpRequest.Builder api(String uri, String accessToken) {
        return HttpRequest.newBuilder(URI.create(uri))
                .header("Authorization", "Bearer " + accessToken)
                .header("X-GitHub-Api-Version", "2022-11-28")
                .GET();
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response = http.send(
                    request.timeout(TIMEOUT)
                            .header("Accept", "application/json")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SignInFailure("provider_unavailable", "GitHub unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SignInFailure("provider_unavailable", "interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new SignInFailure(
                    "provider_error", "GitHub answered " + response.statusCode() + " at " + response.uri());
        }
        try {
            return JSON.readTree(response.body());
        } catch (JacksonException e) {
            throw new SignInFailure("provider_error", "GitHub answered no JSON at " + response.uri(), e);
        }
    }

    private static String form(Map<String, String> values) {
        return values.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** The PKCE S256 challenge: base64url(SHA-256(verifier)). */
    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
