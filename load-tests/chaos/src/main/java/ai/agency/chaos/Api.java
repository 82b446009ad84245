package ai.agency.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/** The platform's REST API as a client sees it: JSON in, status + JSON + headers out, never an exception for 4xx/5xx. */
final class Api {

    static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpClient http;

    Api() {
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(3))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    HttpClient http() {
        return http;
    }

    /** One answer. {@code status} is 0 when no answer came (connection refused, timeout): {@code failure} says why. */
    record Response(int status, String contentType, Optional<String> retryAfter, JsonNode json, String failure) {

        boolean ok() {
            return status >= 200 && status < 300;
        }

        boolean isProblem() {
            return contentType != null && contentType.startsWith("application/problem+json");
        }

        /** 503 (or 429) problem with Retry-After: what a client may retry. */
        boolean isRetryableProblem() {
            return (status == 503 || status == 429) && isProblem() && retryAfter.isPresent();
        }

        String text(String field) {
            return json.path(field).asString("");
        }

        String describe() {
            if (status == 0) {
                return "no answer (" + failure + ")";
            }
            String errorType = json.path("errorType").asString("");
            return status
                    + (errorType.isEmpty() ? "" : " " + errorType)
                    + (retryAfter.map(r -> " Retry-After " + r).orElse(""))
                    + (isProblem() || ok() ? "" : " (" + contentType + ")");
        }
    }

    Response get(String url, String token) {
        return send("GET", url, token, null);
    }

    Response post(String url, String token, Object body) {
        return send("POST", url, token, body);
    }

    Response send(String method, String url, String token, Object body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            if (body != null) {
                b.header("Content-Type", "application/json");
                b.method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            String type = r.headers().firstValue("Content-Type").orElse("");
            JsonNode json = MissingNode.getInstance();
            if (type.contains("json") && !r.body().isEmpty()) {
                json = JSON.readTree(r.body());
            }
            return new Response(r.statusCode(), type, r.headers().firstValue("Retry-After"), json, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Response(0, null, Optional.empty(), MissingNode.getInstance(), "interrupted");
        } catch (Exception e) {
            return new Response(
                    0,
                    null,
                    Optional.empty(),
                    MissingNode.getInstance(),
                    e.getClass().getSimpleName());
        }
    }

    /** A signed-in user: {@code accessToken} from a password login. */
    record User(String id, String username, String password, String accessToken, String refreshToken) {}

    /** Registers and signs in a new user, waiting out 429/503 answers (sign-ups are throttled on purpose). */
    User newUser(String gateway, String prefix) {
        String username = prefix + "-" + HexFormat.of().formatHex(RANDOM.generateSeed(5));
        String password = "chaos-" + HexFormat.of().formatHex(RANDOM.generateSeed(8));
        Response registered = patiently(() -> post(
                gateway + "/api/v1/auth/register",
                null,
                Map.of("username", username, "email", username + "@chaos.example", "password", password)));
        if (registered.status() != 201) {
            throw new IllegalStateException("sign-up of " + username + " failed: " + registered.describe());
        }
        return login(gateway, username, password, registered.text("id"));
    }

    /** {@code count} new users (four signed up at a time), each with one memory holding {@code content}. */
    java.util.List<User> newUsersWithMemory(String gateway, String prefix, int count, String content) throws Exception {
        try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            java.util.List<java.util.concurrent.Future<User>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(pool.submit(() -> {
                    User user = newUser(gateway, prefix);
                    Response added = patiently(() -> post(
                            gateway + "/api/v1/memories",
                            user.accessToken(),
                            Map.of("content", content, "infer", false)));
                    if (added.status() != 201) {
                        throw new IllegalStateException("memory add failed: " + added.describe());
                    }
                    return user;
                }));
            }
            java.util.List<User> users = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<User> f : futures) {
                users.add(f.get());
            }
            return users;
        }
    }

    User login(String gateway, String username, String password, String id) {
        Response login = patiently(
                () -> post(gateway + "/api/v1/auth/login", null, Map.of("username", username, "password", password)));
        if (!login.ok()) {
            throw new IllegalStateException("login of " + username + " failed: " + login.describe());
        }
        return new User(id, username, password, login.text("accessToken"), login.text("refreshToken"));
    }

    /** Repeats a call while it answers 429 or 503 (honouring Retry-After, at most 1 s apart), for up to 60 s. */
    static Response patiently(java.util.function.Supplier<Response> call) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Response r = call.get();
            if ((r.status() != 429 && r.status() != 503) || System.nanoTime() > deadline) {
                return r;
            }
            sleep(Duration.ofMillis(200 + RANDOM.nextInt(800)));
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
