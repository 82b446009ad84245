package ai.agency.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    /** The newest access token of each user: refreshed every 10 minutes, so that runs longer than a token live. */
    private static final Map<String, String> CURRENT = new java.util.concurrent.ConcurrentHashMap<>();

    private static final Map<String, String> REFRESH = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicBoolean REFRESHING =
            new java.util.concurrent.atomic.AtomicBoolean();

    private LoadUsers() {}

    /**
     * The access token to send for {@code username}: the newest one (a soak runs longer than the ~15 minutes a token
     * lives: the first soak run got 401 for everything after minute 17), else the one the session was fed.
     */
    public static String token(String username, String fed) {
        return username == null ? fed : CURRENT.getOrDefault(username, fed);
    }

    /** Every 10 minutes, a refresh of every user's tokens (cheap: no password check), on a daemon thread. */
    private static void keepFresh() {
        if (!REFRESHING.compareAndSet(false, true)) {
            return;
        }
        var timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "load-users-refresh");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(
                () -> {
                    int i = 0;
                    for (Map.Entry<String, String> user : REFRESH.entrySet()) {
                        try {
                            String[] pair = signIn(user.getKey(), user.getValue(), "127.0.1." + (2 + i++ % 250));
                            CURRENT.put(pair[0], pair[1]);
                            REFRESH.put(pair[0], pair[2]);
                        } catch (Exception e) {
                            System.out.printf("LoadUsers: refresh of %s failed: %s%n", user.getKey(), e.getMessage());
                        }
                    }
                },
                10,
                10,
                java.util.concurrent.TimeUnit.MINUTES);
    }

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
                String from = "127.0.1." + (2 + i % 250); // apart from the virtual users' 127.0.0.x
                futures.add(pool.submit(() -> signIn(username, known, from)));
            }
            List<Map<String, Object>> users = new ArrayList<>();
            for (Future<String[]> future : futures) {
                String[] pair = future.get();
                synchronized (refresh) {
                    refresh.setProperty(pair[0], pair[2]);
                }
                if (users.size() % 10 == 9) {
                    save(cache, refresh); // a run stopped while signing in keeps what it has
                }
                Map<String, Object> user = new HashMap<>();
                user.put("username", pair[0]);
                user.put("token", pair[1]);
                users.add(user);
                CURRENT.put(pair[0], pair[1]);
                REFRESH.put(pair[0], pair[2]);
            }
            save(cache, refresh);
            keepFresh();
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

    /**
     * → {username, accessToken, refreshToken}. A user never signed in by this machine is registered first (409 when
     * it exists), so no login ever fails: failed logins count toward the per-address lock of the login limits.
     */
    private static String[] signIn(String username, String knownRefresh, String from) throws Exception {
        if (knownRefresh != null) {
            Answer refreshed = post(from, "/api/v1/auth/refresh", Map.of("refreshToken", knownRefresh));
            if (refreshed.status() == 200) {
                return pair(username, refreshed.body());
            }
        } else {
            Answer registered = post(
                    from,
                    "/api/v1/auth/register",
                    Map.of(
                            "username",
                            username,
                            "email",
                            username + "@load.example.com",
                            "password",
                            LoadConfig.userPassword()));
            if (registered.status() != 201 && registered.status() != 409) {
                throw new IllegalStateException(
                        "register " + username + " → " + registered.status() + " " + registered.body());
            }
        }
        Answer login =
                post(from, "/api/v1/auth/login", Map.of("username", username, "password", LoadConfig.userPassword()));
        if (login.status() != 200) {
            throw new IllegalStateException("login " + username + " → " + login.status() + " " + login.body());
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

    record Answer(int status, String body, long retryAfterSeconds) {}

    /**
     * POST with JSON from the loopback address {@code from} (a plain HTTP/1.1 exchange on a socket bound to it: the
     * JDK's HTTP client cannot choose its source address); waits out 429 and 503 answers by their {@code Retry-After}
     * (up to 20 tries, at most 30 s each).
     */
    private static Answer post(String from, String path, Object body) throws Exception {
        URI base = URI.create(LoadConfig.baseUrl());
        byte[] json = JSON.writeValueAsBytes(body);
        Answer answer = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            answer = exchange(from, base, path, json);
            if (answer.status() != 429 && answer.status() != 503) {
                return answer;
            }
            Thread.sleep(Math.max(1, Math.min(answer.retryAfterSeconds(), 30)) * 1000L);
        }
        return answer;
    }

    private static Answer exchange(String from, URI base, String path, byte[] json) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
            socket.setSoTimeout(30_000);
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nConnection: close\r\n"
                    + "Content-Length: " + json.length + "\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(json);
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int split = response.indexOf("\r\n\r\n");
            String headers = response.substring(0, Math.max(0, split));
            String payload = split < 0 ? "" : response.substring(split + 4);
            int status = Integer.parseInt(headers.substring(9, 12));
            long retryAfter = 1;
            boolean chunked = false;
            for (String line : headers.split("\r\n")) {
                String lower = line.toLowerCase(java.util.Locale.ROOT);
                if (lower.startsWith("retry-after:")) {
                    retryAfter = Long.parseLong(line.substring(12).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            return new Answer(status, chunked ? dechunk(payload) : payload, retryAfter);
        }
    }

    private static String dechunk(String payload) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (at < payload.length()) {
            int lineEnd = payload.indexOf("\r\n", at);
            if (lineEnd < 0) {
                break;
            }
            int size = Integer.parseInt(
                    payload.substring(at, lineEnd).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            body.append(payload, lineEnd + 2, Math.min(payload.length(), lineEnd + 2 + size));
            at = lineEnd + 2 + size + 2;
        }
        return body.toString();
    }

    private static Path cacheFile() {
        String target = LoadConfig.baseUrl().replaceFirst("^https?://", "").replaceAll("[^A-Za-z0-9.]+", "-");
        return LoadConfig.targetDir().resolve("load-users-" + target + ".properties");
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
