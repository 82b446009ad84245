package ai.agency.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * Scenario rolling-restart: a second memory-service and a second realtime-gateway beside the platform's (the gateways
 * spread the memory route over both memory-services: start the platform with {@code
 * AGENCY_GATEWAY_ROUTES_MEMORY_INSTANCES}, see load-tests/rollout/rolling-restart.sh). Under steady REST load (memory
 * add and list, spread over both gateways as a load balancer would, moving to the other gateway when one refuses a
 * connection) and chat load (WebSocket turns that resume on the other gateway when theirs closes), each replica is
 * restarted in turn with SIGTERM (graceful shutdown) and started again: memory-service 1, memory-service 2, gateway
 * 1, gateway 2. Counts every REST request and chat turn that did not get its answer.
 */
final class RollingRestart {

    private final Platform platform;
    private final Api api;
    private final Verdict verdict = new Verdict("rolling-restart");
    private final int restWorkers = Integer.parseInt(System.getenv().getOrDefault("CHAOS_REST_WORKERS", "4"));
    private final int chats = Integer.parseInt(System.getenv().getOrDefault("CHAOS_ROLLING_CHATS", "6"));
    /**
     * The chat message: one the local model answers with ~45 words, streamed a word per {@code
     * AGENCY_ORCHESTRATION_LOCAL_CHUNK_INTERVAL} (rolling-restart.sh: 100 ms), so turns last ~5 s, as with a real model,
     * and a gateway's restart catches some mid-stream.
     */
    private final String message =
            System.getenv().getOrDefault("CHAOS_ROLLING_MESSAGE", "Hello! Please write a short story.");

    private final Duration settle =
            Duration.ofSeconds(Long.parseLong(System.getenv().getOrDefault("CHAOS_SETTLE_SECONDS", "15")));
    private GatewayBalancer balancer;
    private volatile boolean stopping;

    private final AtomicInteger restTotal = new AtomicInteger();
    private final AtomicInteger restFailovers = new AtomicInteger();
    private final Map<String, AtomicInteger> restLost = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> turns = new ConcurrentHashMap<>();
    private final AtomicInteger resumes = new AtomicInteger();
    private final AtomicInteger cutMidTurn = new AtomicInteger();
    private final AtomicInteger resumedAnswered = new AtomicInteger();
    private final AtomicInteger resent = new AtomicInteger();
    private final AtomicInteger shed = new AtomicInteger();

    RollingRestart(Platform platform) {
        this.platform = platform;
        this.api = platform.api;
    }

    int run() throws Exception {
        platform.requireUp();
        verdict.step("second replicas: memory-service and realtime-gateway on their ports + 100");
        Replica memory2 = Replica.start(platform, "memory-service", 100);
        Replica gateway2 = Replica.start(platform, "realtime-gateway", 100);
        memory2.awaitReady(platform, Duration.ofMinutes(4));
        gateway2.awaitReady(platform, Duration.ofMinutes(4));
        // readiness-aware, as a Kubernetes Service: a gateway leaves the rotation when its /readyz fails
        balancer = new GatewayBalancer(
                api, List.of(platform.port("realtime-gateway"), gateway2.port), Duration.ofMillis(250));

        verdict.step("load: " + restWorkers + " REST clients, " + chats + " chat clients");
        List<Api.User> users = new ArrayList<>();
        for (int i = 0; i < Math.max(restWorkers, chats); i++) {
            users.add(api.newUser(platform.gateway(), "rolling"));
        }
        ExecutorService load = Executors.newVirtualThreadPerTaskExecutor();
        for (int i = 0; i < restWorkers; i++) {
            Api.User user = users.get(i);
            int first = i;
            load.submit(() -> rest(user, first));
        }
        for (int i = 0; i < chats; i++) {
            Api.User user = users.get(i);
            int first = i;
            load.submit(() -> chat(user, first));
        }
        Api.sleep(settle);

        verdict.step("restart memory-service 1 (SIGTERM, ./platform up)");
        verdict.figure("memory-service 1 stopped in", stop("memory-service"));
        verdict.figure("memory-service 1 ready again in", up("memory-service"));
        Api.sleep(settle);

        verdict.step("restart memory-service 2");
        verdict.figure("memory-service 2 stopped in", memory2.stopGracefully());
        memory2 = Replica.start(platform, "memory-service", 100);
        memory2.awaitReady(platform, Duration.ofMinutes(4));
        Api.sleep(settle);

        verdict.step("restart realtime-gateway 1 (SIGTERM, ./platform up)");
        verdict.figure("gateway 1 stopped in", stop("realtime-gateway"));
        verdict.figure("gateway 1 ready again in", up("realtime-gateway"));
        Api.sleep(settle);

        verdict.step("restart realtime-gateway 2");
        verdict.figure("gateway 2 stopped in", gateway2.stopGracefully());
        gateway2 = Replica.start(platform, "realtime-gateway", 100);
        gateway2.awaitReady(platform, Duration.ofMinutes(4));
        balancer.set(1, gateway2.port);
        Api.sleep(settle);

        verdict.step("stop the load");
        stopping = true;
        load.shutdown();
        load.awaitTermination(90, TimeUnit.SECONDS);
        balancer.close();
        memory2.stopGracefully();
        gateway2.stopGracefully();

        int lost = restLost.values().stream().mapToInt(AtomicInteger::get).sum();
        verdict.figure("REST requests", restTotal.get());
        verdict.figure("REST requests moved to the other gateway", restFailovers.get());
        verdict.figure("REST requests lost", lost + (lost == 0 ? "" : " " + new TreeMap<>(restLost)));
        verdict.figure("chat turns by outcome", new TreeMap<>(turns));
        verdict.figure("chat turns cut mid-stream by a gateway's shutdown (socket closed 1001)", cutMidTurn.get());
        verdict.figure("chat resumes on the other gateway", resumes.get());
        verdict.figure("resumed turns answered in full", resumedAnswered.get());
        verdict.figure("of those, sent again (no frame of it before the close: the chat frame was lost)", resent.get());
        verdict.figure("gateways taken out of the load balancer by readiness", balancer.removals());
        verdict.figure("chat turns shed (rate_limit) and sent again", shed.get());
        verdict.check(restTotal.get() > 0 && lost == 0, "no REST request lost");
        int answered = turns.getOrDefault("answered", new AtomicInteger()).get();
        int notAnswered = turns.entrySet().stream()
                .filter(e -> !e.getKey().equals("answered"))
                .mapToInt(e -> e.getValue().get())
                .sum();
        verdict.check(answered > 0 && notAnswered == 0, "every chat turn answered (" + notAnswered + " not)");
        verdict.check(
                cutMidTurn.get() > 0 && resumedAnswered.get() == cutMidTurn.get(),
                "turns cut mid-stream by a gateway's shutdown (" + cutMidTurn.get()
                        + "), every one resumed and answered");
        return verdict.finish();
    }

    /**
     * {@code ./platform up}, once more if the first start failed (a loaded machine), then until the service is ready;
     * the time it took.
     */
    private Duration up(String service) {
        long t0 = System.nanoTime();
        try {
            platform.up();
        } catch (IllegalStateException e) {
            verdict.figure("./platform up failed, again", e.getMessage());
            platform.up();
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (!platform.ready(service) && System.nanoTime() < deadline) {
            Api.sleep(Duration.ofSeconds(1));
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** SIGTERM to the platform's instance of a service; the time until its JVM is gone. */
    private Duration stop(String service) {
        long pid = platform.pid(service).orElseThrow();
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        long t0 = System.nanoTime();
        process.destroy();
        process.onExit().join();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        keepLog(service);
        return took;
    }

    /** ./platform up overwrites a service's log: the stopped one's is kept as {@code <service>.<n>.log}. */
    private void keepLog(String service) {
        java.nio.file.Path logs = platform.root.resolve(".platform/logs");
        try {
            java.nio.file.Files.copy(
                    logs.resolve(service + ".log"),
                    logs.resolve(service + ".stopped-" + System.currentTimeMillis() + ".log"));
        } catch (java.io.IOException e) {
            verdict.figure("log of " + service + " not kept", e.getMessage());
        }
    }

    private void rest(Api.User user, int first) {
        int n = first;
        while (!stopping) {
            n++;
            send(n, "POST", "/api/v1/memories", user, Map.of("content", "rolling fact " + n, "infer", false));
            send(n + 1, "GET", "/api/v1/memories?limit=5", user, null);
            Api.sleep(Duration.ofMillis(200));
        }
    }

    /**
     * One request through the load balancer: to the next ready gateway; one that a gateway refused anyway (its
     * connection: it never reached it) goes to the next, as a load balancer does. Anything else that is not a 2xx or
     * 4xx is lost (a POST cut after it was sent is never sent again: it may have been done).
     */
    private void send(int n, String method, String path, Api.User user, Object body) {
        restTotal.incrementAndGet();
        Api.Response r = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            int port = balancer.pick(n, attempt);
            r = api.send(method, "http://localhost:" + port + path, user.accessToken(), body);
            if (!"ConnectException".equals(r.failure())) {
                break;
            }
            restFailovers.incrementAndGet();
        }
        if (r.status() == 0 || r.status() >= 500) {
            restLost.computeIfAbsent(method + " " + r.describe(), k -> new AtomicInteger())
                    .incrementAndGet();
        }
    }

    private void chat(Api.User user, int first) {
        int gateway = first;
        ChatSocket socket = connect(user, gateway);
        String conversation = null;
        while (!stopping && socket != null) {
            ChatSocket.Admitted admitted;
            try {
                // a turn shed with rate_limit is sent again after its retryAfter, as a well-behaved client does
                admitted = socket.chatUntilAdmitted(message, conversation, Duration.ofSeconds(60), x -> {});
            } catch (RuntimeException closedMeanwhile) {
                socket = connect(user, ++gateway); // a new socket for the next turn; none was sent
                continue;
            }
            shed.addAndGet(admitted.shed());
            String id = admitted.requestId();
            JsonNode end = admitted.end();
            boolean cut = end == null && socket.isClosed() && !stopping;
            if (cut) {
                cutMidTurn.incrementAndGet();
            }
            while (end == null && socket.isClosed() && !stopping) {
                gateway++; // the gateway closed the socket (going away) mid-turn: resume on a ready one
                ChatSocket next = connect(user, gateway);
                if (next == null) {
                    break;
                }
                // the last seq of the closed connection's own frames: after an earlier resume its frames include
                // replayed ones, which carry the seq of the connection before it
                next.resume(socket.connectionId(), socket.lastOwnSeq());
                JsonNode resumed =
                        next.await(f -> "resume".equals(f.path("requestId").asString("")), Duration.ofSeconds(20));
                if (resumed != null && resumed.path("type").asString().equals("resumed")) {
                    resumes.incrementAndGet();
                }
                boolean heardOf =
                        !socket.framesOf(id).isEmpty() || !next.framesOf(id).isEmpty();
                socket = next;
                if (heardOf) {
                    end = socket.awaitEnd(id, Duration.ofSeconds(60));
                } else {
                    // not a single frame of it by the time of "resumed": the chat frame went down with the closing
                    // socket before the gateway took it up; send it again, as the protocol says (realtime.md#resume)
                    resent.incrementAndGet();
                    ChatSocket.Admitted again =
                            socket.chatUntilAdmitted(message, conversation, Duration.ofSeconds(60), x -> {});
                    shed.addAndGet(again.shed());
                    id = again.requestId();
                    end = again.end();
                }
            }
            String outcome = end == null
                    ? (socket.isClosed() ? "closed" : "timeout")
                    : end.path("type").asString().equals("error")
                            ? "error:" + end.path("errorType").asString("?")
                            : end.path("cancelled").asBoolean() ? "cancelled" : "answered";
            turns.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
            if (cut && outcome.equals("answered")) {
                resumedAnswered.incrementAndGet();
            }
            for (JsonNode f : socket.framesOf(id)) {
                if (f.path("type").asString().equals("stream_start")) {
                    conversation = f.path("conversationId").asString(conversation);
                }
            }
            if (socket.isClosed() && !stopping) {
                gateway++;
                ChatSocket next = connect(user, gateway);
                socket = next;
            }
            Api.sleep(Duration.ofSeconds(1));
        }
        if (socket != null) {
            socket.close();
        }
    }

    /**
     * A socket on a ready gateway through the load balancer (the {@code i}-th in turn), trying again for up to 60 s;
     * null when stopping.
     */
    private ChatSocket connect(Api.User user, int i) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int attempt = 0; System.nanoTime() < deadline && !stopping; attempt++) {
            int port = balancer.pick(i + attempt, 0);
            try {
                return ChatSocket.open(api.http(), port, user.accessToken());
            } catch (RuntimeException e) {
                Api.sleep(Duration.ofMillis(500));
            }
        }
        return null;
    }
}
