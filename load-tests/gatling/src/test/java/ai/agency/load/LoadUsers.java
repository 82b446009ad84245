package ai.agency.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Signed-in users for the scenarios that are not about signing up: {@code load_0 … load_<n-1>}, registered once and
 * reused by every later run. Their refresh tokens are kept in {@code target/load-users-<host>-<port>.properties}, so
 * a later run refreshes (cheap) instead of logging in again (a BCrypt check each, bounded by the platform's password
 * hashing). Runs before the load starts; sign-up and login throttling (429 with {@code Retry-After}) is waited out.
 */
public final class LoadUsers {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LoadUsers() {}

    /** One map per user: {@code username}, {@code token} (an access token valid ~15 minutes). */
    public static List<Map<String, Object>> signIn(int count) {
        Path cache = cacheFile();
        Properties refresh = load(cache);
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String[]>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String username = "load_" + i;
                String known = refresh.getProperty(username);
                futures.add(pool.submit(() -> signIn(username, known)));
            }
            List<Map<String, Object>> users = new ArrayList<>();
            for (Future<String[]> future : futures) {
                String[] pair = future.get();
                synchronized (refresh) {
                    refresh.setProperty(pair[0], pair[2]);
                }
                Map<String, Object> user = new HashMap<>();
                user.put("username", pair[0]);
                user.put("token", pair[1]);
                users.add(user);
            }
            save(cache, refresh);
            System.out.printf(
                    "LoadUsers: %d users signed in in %.1f s%n", users.size(), (System.nanoTime() - started) / 1e9);
            return users;
        } catch (Exception e) {
            save(cache, refresh);
            throw new IllegalStateException("could not sign in the load users: " + e.getMessage(), e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** → {username, accessToken, refreshToken}. */
    private static String[] signIn(String username, String knownRefresh) throws Exception {
        if (knownRefresh != null) {
            HttpResponse<String> refreshed = post("/api/v1/auth/refresh", Map.of("refreshToken", knownRefresh));
            if (refreshed.statusCode() == 200) {
                return pair(username, refreshed.body());
            }
        }
        Map<String, Object> credentials = Map.of("username", username, "password", LoadConfig.userPassword());
        HttpResponse<String> login = post("/api/v1/auth/login", credentials);
        if (login.statusCode() == 401) {
            HttpResponse<String> registered = post(
                    "/api/v1/auth/register",
                    Map.of(
                            "username",
                            username,
                            "email",
                            username + "@load.example.com",
                            "password",
                            LoadConfig.userPassword()));
            if (registered.statusCode() != 201 && registered.statusCode() != 409) {
                throw new IllegalStateException(
                        "register " + username + " → " + registered.statusCode() + " " + registered.body());
            }
            login = post("/api/v1/auth/login", credentials);
        }
        if (login.statusCode() != 200) {
            throw new IllegalStateException("login " + username + " → " + login.statusCode() + " " + login.body());
        }
        return pair(username, login.body());
    }

    private static String[] pair(String username, String body) throws IOException {
        JsonNode tokens = JSON.readTree(body);
        return new String[] {
            username,
            tokens.path("accessToken").asText(),
            tokens.path("refreshToken").asText()
        };
    }

    /** POST with JSON; waits out 429 and 503 answers that carry {@code Retry-After} (up to 20 tries). */
    private static HttpResponse<String> post(String path, Object body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(LoadConfig.baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        HttpResponse<String> response = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status != 429 && status != 503) {
                return response;
            }
            long seconds = response.headers()
                    .firstValue("Retry-After")
                    .map(Long::parseLong)
                    .orElse(1L);
            Thread.sleep(Math.max(1, Math.min(seconds, 30)) * 1000L);
        }
        return response;
    }

    private static Path cacheFile() {
        String target = LoadConfig.baseUrl().replaceFirst("^https?://", "").replaceAll("[^A-Za-z0-9.]+", "-");
        return Path.of("target", "load-users-" + target + ".properties");
    }

    private static Properties load(Path file) {
        Properties properties = new Properties();
        if (Files.exists(file)) {
            try (var in = Files.newInputStream(file)) {
                properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return properties;
    }

    private static void save(Path file, Properties properties) {
        try {
            Files.createDirectories(file.getParent());
            try (var out = Files.newOutputStream(file)) {
                synchronized (properties) {
                    properties.store(out, "refresh tokens of the load users (valid for the platform that issued them)");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
