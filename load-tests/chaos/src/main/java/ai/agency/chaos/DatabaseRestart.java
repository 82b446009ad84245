package ai.agency.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/**
 * Scenario c: PostgreSQL is stopped (fast: connections terminated) and started again while writers add memories,
 * send chat turns and start workflow runs. Every acknowledged write must be read back afterwards; every error during
 * the outage must be a 503 problem with Retry-After; each kind of write must succeed again within 10 s of the
 * database accepting connections, without restarting a service.
 */
final class DatabaseRestart {

    private final Platform platform;
    private final Api api;
    private final Verdict verdict = new Verdict("db-restart");
    private final int writersPerKind = Integer.parseInt(System.getenv().getOrDefault("CHAOS_WRITERS_PER_KIND", "3"));
    private final Duration down =
            Duration.ofSeconds(Long.parseLong(System.getenv().getOrDefault("CHAOS_DB_DOWN_SECONDS", "5")));

    /** Every answer of one kind of write: acknowledged ids, refusals by class, and when each came. */
    private static final class Kind {
        final String name;
        final List<String> acked = Collections.synchronizedList(new ArrayList<>());
        final List<Long> ackTimes = Collections.synchronizedList(new ArrayList<>());
        final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
        final List<String> badExamples = Collections.synchronizedList(new ArrayList<>());

        Kind(String name) {
            this.name = name;
        }

        void answer(Api.Response r, String ackId) {
            String key;
            if (r.ok() && ackId != null && !ackId.isEmpty()) {
                acked.add(ackId);
                ackTimes.add(System.nanoTime());
                key = "acknowledged";
            } else if (r.isRetryableProblem()) {
                key = r.status() + " problem + Retry-After";
            } else {
                key = "BAD " + r.describe();
                if (badExamples.size() < 5) {
                    badExamples.add(r.describe() + " " + r.json().path("detail").asString(""));
                }
            }
            answers.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
        }

        long bad() {
            return answers.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("BAD"))
                    .mapToLong(e -> e.getValue().get())
                    .sum();
        }

        long firstAckAfter(long t) {
            synchronized (ackTimes) {
                return ackTimes.stream()
                        .filter(x -> x > t)
                        .mapToLong(Long::longValue)
                        .min()
                        .orElse(-1);
            }
        }
    }

    DatabaseRestart(Platform platform) {
        this.platform = platform;
        this.api = platform.api;
    }

    int run() throws Exception {
        Database db = Database.ofEnvironment();
        platform.requireUp();
        String gw = platform.gateway();
        Map<String, Long> pidsBefore = pids();
        verdict.step("database " + db + "; signing up " + (3 * writersPerKind) + " writers");
        Kind memories = new Kind("memory adds"), chats = new Kind("chat turns"), runs = new Kind("workflow runs");
        List<Runnable> writers = new ArrayList<>();
        Map<String, String> conversationOf = new ConcurrentHashMap<>();
        Map<String, String> tokenOf = new ConcurrentHashMap<>();
        for (int i = 0; i < writersPerKind; i++) {
            Api.User m = api.newUser(gw, "chaos-dbm");
            writers.add(() -> {
                Api.Response r = api.post(
                        gw + "/api/v1/memories",
                        m.accessToken(),
                        Map.of("content", "Chaos fact " + UUID.randomUUID(), "infer", false));
                String id = r.json().path("results").path(0).path("id").asString("");
                if (!id.isEmpty()) {
                    tokenOf.put(id, m.accessToken());
                }
                memories.answer(r, id);
            });
            Api.User c = api.newUser(gw, "chaos-dbc");
            Api.Response conversation =
                    api.post(gw + "/api/v1/conversations", c.accessToken(), Map.of("title", "chaos"));
            String conversationId = conversation.text("id");
            conversationOf.put(conversationId, c.accessToken());
            writers.add(() -> {
                Api.Response r = api.post(
                        gw + "/api/v1/conversations/" + conversationId + "/messages",
                        c.accessToken(),
                        Map.of("content", "Hello, how are you today?", "stream", false));
                String id = r.json().path("message").path("id").asString("");
                if (!id.isEmpty()) {
                    tokenOf.put(id, conversationId);
                }
                chats.answer(r, id);
            });
            Api.User w = api.newUser(gw, "chaos-dbw");
            Api.Response workflow = api.post(
                    gw + "/api/v1/workflows",
                    w.accessToken(),
                    Map.of(
                            "name",
                            "chaos",
                            "steps",
                            List.of(Map.of("id", "echo", "type", "transform", "input", Map.of("n", "{{input.n}}")))));
            String workflowId = workflow.text("id");
            writers.add(() -> {
                Api.Response r = api.post(
                        gw + "/api/v1/workflows/" + workflowId + "/runs",
                        w.accessToken(),
                        Map.of("input", Map.of("n", System.nanoTime())));
                String id = r.text("runId");
                if (!id.isEmpty()) {
                    tokenOf.put(id, w.accessToken());
                }
                runs.answer(r, id);
            });
        }

        verdict.step("writing: " + writers.size() + " writers back to back");
        long stoppedAt, acceptingAt;
        Map<String, Long> readyAfter = new LinkedHashMap<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            List<Future<?>> running = new ArrayList<>();
            for (Runnable writer : writers) {
                running.add(pool.submit(() -> {
                    while (!stop.get()) {
                        writer.run();
                        Api.sleep(Duration.ofMillis(50));
                    }
                }));
            }
            Api.sleep(Duration.ofSeconds(10));
            verdict.step(
                    "pg_ctlcluster stop -m fast (" + (memories.acked.size() + chats.acked.size() + runs.acked.size())
                            + " writes acknowledged so far)");
            db.stop();
            stoppedAt = System.nanoTime();
            Api.sleep(down);
            verdict.step("pg_ctlcluster start");
            db.start();
            db.awaitAccepting(Duration.ofSeconds(60));
            acceptingAt = System.nanoTime();
            verdict.step("database accepts connections; watching readiness");
            long deadline = acceptingAt + Duration.ofSeconds(30).toNanos();
            while (readyAfter.size() < Platform.SERVICES.size() && System.nanoTime() < deadline) {
                for (String s : Platform.SERVICES) {
                    if (!readyAfter.containsKey(s) && platform.ready(s)) {
                        readyAfter.put(s, (System.nanoTime() - acceptingAt) / 1_000_000);
                    }
                }
                Api.sleep(Duration.ofMillis(200));
            }
            Api.sleep(Duration.ofSeconds(20));
            stop.set(true);
            for (Future<?> f : running) {
                f.get();
            }
        }
        verdict.figure("database down (stop → accepting)", String.format("%.1f s", (acceptingAt - stoppedAt) / 1e9));
        for (Kind k : List.of(memories, chats, runs)) {
            verdict.figure(k.name, new TreeMap<>(k.answers));
            k.badExamples.forEach(e -> verdict.figure("  e.g.", e));
            verdict.check(
                    k.bad() == 0,
                    k.name + ": every refusal is a 503/429 problem with Retry-After (bad: " + k.bad() + ")");
            long first = k.firstAckAfter(acceptingAt);
            double seconds = first < 0 ? -1 : Math.max(0, (first - acceptingAt) / 1e9);
            verdict.check(
                    first > 0 && seconds <= 10,
                    String.format(
                            "%s succeed again within 10 s of the database (%s)",
                            k.name, first < 0 ? "never" : String.format("%.1f s", seconds)));
        }
        verdict.figure("readiness UP again after the database (ms)", readyAfter);
        verdict.check(
                readyAfter.size() == Platform.SERVICES.size()
                        && readyAfter.values().stream().allMatch(ms -> ms <= 10_000),
                "every service is ready again within 10 s of the database");
        verdict.check(pids().equals(pidsBefore), "no service was restarted (same pids)");

        verdict.step("reading back every acknowledged write");
        Set<String> lostMemories = new HashSet<>();
        for (String id : List.copyOf(memories.acked)) {
            Api.Response r = api.get(gw + "/api/v1/memories/" + id, tokenOf.get(id));
            if (!r.ok()) {
                lostMemories.add(id + " " + r.describe());
            }
        }
        Set<String> stored = new HashSet<>();
        conversationOf.forEach((conversation, token) -> stored.addAll(messages(conversation, token)));
        List<String> lostMessages =
                chats.acked.stream().filter(id -> !stored.contains(id)).toList();
        List<String> lostRuns = new ArrayList<>();
        Map<String, Integer> runStatus = new TreeMap<>();
        long runDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (String id : List.copyOf(runs.acked)) {
            Api.Response r;
            do {
                r = api.get(gw + "/api/v1/runs/" + id, tokenOf.get(id));
                String status = r.text("status");
                if (!r.ok() || status.equals("succeeded") || status.equals("failed") || status.equals("cancelled")) {
                    break;
                }
                Api.sleep(Duration.ofMillis(500));
            } while (System.nanoTime() < runDeadline);
            if (!r.ok()) {
                lostRuns.add(id + " " + r.describe());
            } else {
                runStatus.merge(r.text("status"), 1, Integer::sum);
            }
        }
        verdict.figure("workflow runs read back, by status", runStatus);
        verdict.check(
                lostMemories.isEmpty(),
                "0 of " + memories.acked.size() + " acknowledged memories lost"
                        + (lostMemories.isEmpty()
                                ? ""
                                : " (lost: " + lostMemories.size() + ", e.g. "
                                        + lostMemories.iterator().next() + ")"));
        verdict.check(
                lostMessages.isEmpty(),
                "0 of " + chats.acked.size() + " acknowledged chat answers lost"
                        + (lostMessages.isEmpty() ? "" : " (lost: " + lostMessages.size() + ")"));
        verdict.check(
                lostRuns.isEmpty(),
                "0 of " + runs.acked.size() + " acknowledged workflow runs lost"
                        + (lostRuns.isEmpty()
                                ? ""
                                : " (lost: " + lostRuns.size() + ", e.g. " + lostRuns.getFirst() + ")"));
        verdict.check(runStatus.keySet().stream().allMatch("succeeded"::equals), "every acknowledged run succeeded");
        return verdict.finish();
    }

    private Set<String> messages(String conversation, String token) {
        Set<String> ids = new HashSet<>();
        String cursor = null;
        do {
            Api.Response page = api.get(
                    platform.gateway() + "/api/v1/conversations/" + conversation + "/messages?limit=100"
                            + (cursor == null
                                    ? ""
                                    : "&cursor="
                                            + java.net.URLEncoder.encode(
                                                    cursor, java.nio.charset.StandardCharsets.UTF_8)),
                    token);
            if (!page.ok()) {
                throw new IllegalStateException("cannot list messages: " + page.describe());
            }
            for (JsonNode m : page.json().path("items")) {
                ids.add(m.path("id").asString());
            }
            cursor = page.json().path("nextCursor").isString()
                    ? page.json().path("nextCursor").asString()
                    : null;
        } while (cursor != null);
        return ids;
    }

    private Map<String, Long> pids() {
        Map<String, Long> pids = new TreeMap<>();
        for (String s : Platform.SERVICES) {
            pids.put(s, platform.pid(s).orElse(-1L));
        }
        return pids;
    }
}
