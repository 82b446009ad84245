package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A tiny HTTP client for the end-to-end tests: requests, JSON answers, problem assertions, new users. */
final class Api {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Api() {}

    /** A user registered for a test: its id, credentials and a fresh access token. */
    record User(UUID id, String username, String password, String token) {}

    /** Registers a fresh user through {@code base} and returns an access token. */
    static String newUserToken(URI base) {
        return newUser(base).token();
    }

    /** Registers a fresh user through {@code base} and signs it in. */
    static User newUser(URI base) {
        String username = "u" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String password = "password-" + UUID.randomUUID();
        Reply registered = send(
                base,
                "POST",
                "/api/v1/auth/register",
                null,
                "{\"username\":\"" + username + "\",\"email\":\"" + username + "@example.com\",\"password\":\""
                        + password + "\"}",
                "application/json");
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        return new User(
                UUID.fromString(registered.json().get("id").asString()),
                username,
                password,
                login(base, username, password));
    }

    /** Signs a user in through {@code base}; answers the access token. */
    static String login(URI base, String username, String password) {
        Reply login = send(
                base,
                "POST",
                "/api/v1/auth/login",
                null,
                "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}",
                "application/json");
        assertThat(login.status()).as(login.body()).isEqualTo(200);
        assertThat(login.json().get("tokenType").asString()).isEqualTo("Bearer");
        return login.json().get("accessToken").asString();
    }

    static void assertProblem(Reply reply, int status, String errorType) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.response().headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(reply.json().get("errorType").asString()).isEqualTo(errorType);
        assertThat(reply.json().get("status").asInt()).isEqualTo(status);
        assertThat(reply.json().get("traceId").asString()).isNotBlank();
    }

    static Reply send(URI base, String method, String path, String token, String body, String contentType) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        builder.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return exchange(builder.build());
    }

    static Reply exchange(HttpRequest request) {
        try {
            return new Reply(HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An HTTP answer. */
    record Reply(HttpResponse<String> response) {
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
