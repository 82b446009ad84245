package ai.agency.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * Scenario a: auth-service is killed (SIGKILL). Tokens issued before keep working at the gateway and at every
 * service (one already used before the kill, one used for the first time after it), a WebSocket chat turn still
 * answers, sign-ins and sign-ups get a 503 problem with Retry-After, and after {@code ./platform up} everything works
 * again: sign-in, the old tokens, a new token everywhere, a refresh.
 */
final class AuthDown {

    private final Platform platform;
    private final Api api;
    private final Verdict verdict = new Verdict("auth-down");
    private final Duration outage =
            Duration.ofSeconds(Long.parseLong(System.getenv().getOrDefault("CHAOS_AUTH_DOWN_SECONDS", "40")));

    AuthDown(Platform platform) {
        this.platform = platform;
        this.api = platform.api;
    }

    int run() {
        platform.requireUp();
        String gw = platform.gateway();
        Api.User user = api.newUser(gw, "chaos-auth");
        // a second sign-in of the same user: this token is used for the first time while auth-service is down
        Api.User cold = api.login(gw, user.username(), user.password(), user.id());
        verdict.step("user " + user.username() + " signed in twice; probing every service with the first token");
        Map<String, Api.Response> before = probe(user.accessToken());
        verdict.check(
                before.values().stream().allMatch(Api.Response::ok),
                "before the kill, every probe answers 2xx " + brief(before));

        verdict.step("kill -9 auth-service");
        platform.kill("auth-service");
        long killedAt = System.nanoTime();

        int rounds = 0;
        Map<String, Integer> warmFailures = new LinkedHashMap<>();
        Map<String, Integer> coldFailures = new LinkedHashMap<>();
        List<String> examples = new ArrayList<>();
        List<String> loginAnswers = new ArrayList<>();
        int loginsRefusedWell = 0, loginsTried = 0;
        while (System.nanoTime() - killedAt < outage.toNanos()) {
            rounds++;
            tally(probe(user.accessToken()), warmFailures, examples, "used before");
            tally(probe(cold.accessToken()), coldFailures, examples, "first used now");
            for (Api.Response r : authCalls(user)) {
                loginsTried++;
                if (r.status() == 503 && r.isProblem() && r.retryAfter().isPresent()) {
                    loginsRefusedWell++;
                } else if (loginAnswers.size() < 6) {
                    loginAnswers.add(r.describe());
                }
            }
            Api.sleep(Duration.ofSeconds(4));
        }
        verdict.step("auth-service down for " + outage.toSeconds() + " s: " + rounds + " probe rounds");
        verdict.figure("failed probes, token used before the kill", warmFailures.isEmpty() ? "none" : warmFailures);
        verdict.figure("failed probes, token first used after", coldFailures.isEmpty() ? "none" : coldFailures);
        examples.stream().limit(6).forEach(e -> verdict.figure("  e.g.", e));
        verdict.figure("sign-in/sign-up/refresh answered 503 + Retry-After", loginsRefusedWell + " of " + loginsTried);
        loginAnswers.forEach(a -> verdict.figure("  other answer", a));
        verdict.check(warmFailures.isEmpty(), "a token used before the kill keeps working everywhere");
        verdict.check(coldFailures.isEmpty(), "a token issued before the kill, first used after it, works everywhere");
        verdict.check(loginsRefusedWell == loginsTried, "sign-ins get a 503 problem with Retry-After");

        verdict.step("./platform up (starts auth-service only)");
        Duration up = platform.up();
        long readyAt = System.nanoTime();
        verdict.figure("./platform up took", up.toMillis() + " ms");
        Api.Response login = null;
        while (System.nanoTime() - readyAt < Duration.ofSeconds(30).toNanos()) {
            login = api.post(
                    gw + "/api/v1/auth/login", null, Map.of("username", user.username(), "password", user.password()));
            if (login.ok()) {
                break;
            }
            Api.sleep(Duration.ofMillis(250));
        }
        verdict.figure(
                "first sign-in after readiness",
                String.format("%.1f s (%s)", (System.nanoTime() - readyAt) / 1e9, login.describe()));
        verdict.check(login.ok(), "sign-in works again within 30 s of auth-service's readiness");
        if (login.ok()) {
            Map<String, Api.Response> fresh = probe(login.text("accessToken"));
            verdict.check(
                    fresh.values().stream().allMatch(Api.Response::ok), "a new token works everywhere " + brief(fresh));
        }
        Map<String, Api.Response> old = probe(user.accessToken());
        verdict.check(
                old.values().stream().allMatch(Api.Response::ok), "the old token still works everywhere " + brief(old));
        Api.Response refresh = api.post(gw + "/api/v1/auth/refresh", null, Map.of("refreshToken", user.refreshToken()));
        verdict.check(refresh.ok(), "a refresh token issued before the outage refreshes (" + refresh.describe() + ")");
        List<String> circuits = platform.circuitsNotClosed();
        verdict.figure("circuits not closed at the end", circuits.isEmpty() ? "none" : circuits);
        return verdict.finish();
    }

    /** The calls that need auth-service itself: while it is down each must be a 503 problem with Retry-After. */
    private List<Api.Response> authCalls(Api.User user) {
        String gw = platform.gateway();
        return List.of(
                api.post(
                        gw + "/api/v1/auth/login",
                        null,
                        Map.of("username", user.username(), "password", user.password())),
                api.post(
                        gw + "/api/v1/auth/register",
                        null,
                        Map.of(
                                "username", "chaos-x" + System.nanoTime() % 1_000_000,
                                "email", "x" + System.nanoTime() + "@chaos.example",
                                "password", "chaos-3f9a1c7e5b2d")),
                api.post(gw + "/api/v1/auth/refresh", null, Map.of("refreshToken", "not-a-real-refresh-token-000000")));
    }

    /** Every place a token is checked: the gateway's own API, each route through it, each service directly, /ws. */
    private Map<String, Api.Response> probe(String token) {
        String gw = platform.gateway();
        Map<String, Function<String, Api.Response>> probes = new LinkedHashMap<>();
        probes.put("gateway /api/v1/sessions", t -> api.get(gw + "/api/v1/sessions", t));
        probes.put("gateway→memory", t -> api.get(gw + "/api/v1/memories", t));
        probes.put("gateway→tool", t -> api.get(gw + "/api/v1/tools", t));
        probes.put("gateway→orchestration", t -> api.get(gw + "/api/v1/conversations", t));
        probes.put(
                "gateway→multimodal", t -> api.post(gw + "/api/v1/analyze/text", t, Map.of("text", "Chaos is fine.")));
        probes.put("memory-service", t -> api.get(platform.url("memory-service") + "/api/v1/memories", t));
        probes.put("tool-service", t -> api.get(platform.url("tool-service") + "/api/v1/tools", t));
        probes.put(
                "orchestration-service",
                t -> api.get(platform.url("orchestration-service") + "/api/v1/conversations", t));
        probes.put(
                "multimodal-service",
                t -> api.post(
                        platform.url("multimodal-service") + "/api/v1/analyze/text",
                        t,
                        Map.of("text", "Chaos is fine.")));
        Map<String, Api.Response> answers = new LinkedHashMap<>();
        probes.forEach((name, call) -> answers.put(name, call.apply(token)));
        answers.put("websocket chat turn", chatTurn(token));
        return answers;
    }

    /** A streamed chat turn over /ws (orchestration calls tool-service with the token): 200 if it ended well. */
    private Api.Response chatTurn(String token) {
        ChatSocket socket;
        try {
            socket = ChatSocket.open(api.http(), platform.port("realtime-gateway"), token);
        } catch (RuntimeException e) {
            return new Api.Response(
                    0,
                    null,
                    java.util.Optional.empty(),
                    Api.JSON.missingNode(),
                    "handshake refused: " + rootMessage(e));
        }
        try {
            String id = socket.chat("What is 6 * 7?", null);
            JsonNode end = socket.awaitEnd(id, Duration.ofSeconds(30));
            if (end == null) {
                return new Api.Response(0, null, java.util.Optional.empty(), Api.JSON.missingNode(), "no end of turn");
            }
            boolean ok = end.path("type").asString().equals("stream_end");
            boolean answered = socket.framesOf(id).stream()
                    .filter(f -> f.path("type").asString().equals("stream_chunk"))
                    .map(f -> f.path("content").asString(""))
                    .reduce("", String::concat)
                    .contains("42");
            return new Api.Response(
                    ok && answered ? 200 : 0,
                    "application/json",
                    java.util.Optional.empty(),
                    end,
                    ok ? "answer without 42" : end.toString());
        } finally {
            socket.close();
        }
    }

    private static void tally(
            Map<String, Api.Response> answers, Map<String, Integer> failures, List<String> examples, String which) {
        answers.forEach((name, r) -> {
            if (!r.ok()) {
                failures.merge(name, 1, Integer::sum);
                examples.add(which + ", " + name + ": " + r.describe());
            }
        });
    }

    private static String brief(Map<String, Api.Response> answers) {
        List<String> bad = answers.entrySet().stream()
                .filter(e -> !e.getValue().ok())
                .map(e -> e.getKey() + "=" + e.getValue().describe())
                .toList();
        return bad.isEmpty() ? "(" + answers.size() + " probes)" : bad.toString();
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
