package ai.agency.auth.oidc;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * GitHub's three OAuth2 endpoints and its two user APIs, as GitHub speaks them: the authorization redirect, the token
 * endpoint (client secret, PKCE; a bad code is a 200 with {@code error}), {@code GET /user} and
 * {@code GET /user/emails} with the access token.
 */
final class FakeGitHub implements AutoCloseable {

    static final String CLIENT_ID = "gh-client";
    static final String CLIENT_SECRET = "gh-client-secret";

    /** The GitHub user the next authorization signs in. */
    record GitHubUser(long id, String login, String primaryEmail, boolean verified) {}

    private record Grant(GitHubUser user, String challenge) {}

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final Map<String, Grant> grants = new ConcurrentHashMap<>();
    private final Map<String, GitHubUser> tokens = new ConcurrentHashMap<>();
    private final AtomicReference<GitHubUser> nextUser = new AtomicReference<>();

    FakeGitHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        server.createContext("/login/oauth/authorize", this::authorize);
        server.createContext("/login/oauth/access_token", this::accessToken);
        server.createContext("/user", this::user);
        server.start();
    }

    String baseUrl() {
        return "http://localhost:" + server.getAddress().getPort();
    }

    void next(GitHubUser user) {
        nextUser.set(user);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> query =
                FakeOidcProvider.parse(exchange.getRequestURI().getRawQuery());
        if (!CLIENT_ID.equals(query.get("client_id")) || !"S256".equals(query.get("code_challenge_method"))) {
            FakeOidcProvider.send(exchange, 400, "{}");
            return;
        }
        String code = UUID.randomUUID().toString().replace("-", "");
        grants.put(code, new Grant(nextUser.get(), query.get("code_challenge")));
        exchange.getResponseHeaders()
                .add("Location", query.get("redirect_uri") + "?code=" + code + "&state=" + query.get("state"));
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private void accessToken(HttpExchange exchange) throws IOException {
        Map<String, String> form =
                FakeOidcProvider.parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        if (!CLIENT_ID.equals(form.get("client_id")) || !CLIENT_SECRET.equals(form.get("client_secret"))) {
            FakeOidcProvider.send(exchange, 200, "{\"error\":\"incorrect_client_credentials\"}");
            return;
        }
        Grant grant = grants.remove(String.valueOf(form.get("code")));
        if (grant == null
                || !grant.challenge()
                        .equals(GitHubProviderClient.challenge(String.valueOf(form.get("code_verifier"))))) {
            FakeOidcProvider.send(exchange, 200, "{\"error\":\"bad_verification_code\"}");
            return;
        }
        String token = "gho_" + UUID.randomUUID().toString().replace("-", "");
        tokens.put(token, grant.user());
        FakeOidcProvider.send(
                exchange,
                200,
                JSON.writeValueAsString(Map.of("access_token", token, "token_type", "bearer", "scope", "read:user")));
    }

    private void user(HttpExchange exchange) throws IOException {
        String authorization = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
        GitHubUser user = tokens.get(authorization.replaceFirst("^Bearer ", ""));
        if (user == null) {
            FakeOidcProvider.send(exchange, 401, "{\"message\":\"Bad credentials\"}");
            return;
        }
        if (exchange.getRequestURI().getPath().equals("/user/emails")) {
            FakeOidcProvider.send(
                    exchange,
                    200,
                    JSON.writeValueAsString(List.of(
                            Map.of(
                                    "email",
                                    user.login() + "@users.noreply.github.com",
                                    "primary",
                                    false,
                                    "verified",
                                    true),
                            Map.of("email", user.primaryEmail(), "primary", true, "verified", user.verified()))));
            return;
        }
        // GitHub's public email may be unset or unverified: it is never trusted for linking
        FakeOidcProvider.send(
                exchange,
                200,
                JSON.writeValueAsString(Map.of("id", user.id(), "login", user.login(), "email", user.primaryEmail())));
    }
}
