// WebSocket benchmark of realtime-gateway (not a test). Single file, JDK only: run with
//   java load-tests/ws-gateway/WsBench.java <idle|ttfc> [count] [extra]
// against a running platform (GATEWAY_URL, default http://localhost:8080) whose gateway allows many connections per
// user and has REST rate limits off (see ws-gateway.sh, which sets that up and reads the heap).
//
//   idle N       opens N idle connections (bearer token, one user), waits until all are "ready", holds them
//                30 s (the gateway pings them), prints how many are still open
//   ttfc N [M]   N concurrent streaming chats (one connection each), M rounds (default 3): time from sending the
//                chat frame to its first stream_chunk, p50/p90/p99/max over all rounds
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class WsBench {

    static final String GATEWAY = System.getenv().getOrDefault("GATEWAY_URL", "http://localhost:8080");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "ttfc";
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        String token = login();
        if (mode.equals("idle")) {
            idle(token, count);
        } else {
            ttfc(token, count, args.length > 2 ? Integer.parseInt(args[2]) : 3);
        }
    }

    static String login() throws Exception {
        String user = "wsbench" + System.currentTimeMillis();
        post("/api/v1/auth/register", null, "{\"username\":\"" + user + "\",\"email\":\"" + user
                + "@example.com\",\"password\":\"benchmark-password\"}");
        String body = post("/api/v1/auth/login", null,
                "{\"username\":\"" + user + "\",\"password\":\"benchmark-password\"}");
        Matcher m = Pattern.compile("\"accessToken\":\"([^\"]+)\"").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("login failed: " + body);
        }
        return m.group(1);
    }

    static String post(String path, String token, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(GATEWAY + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(path + " → " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** One connection: counts down {@code ready} on its ready frame, records the first chunk of its chat. */
    static final class Conn implements WebSocket.Listener {
        final CountDownLatch ready;
        volatile CountDownLatch firstChunk;
        volatile CountDownLatch ended;
        volatile long sentNanos;
        volatile long firstChunkNanos;
        volatile boolean closed;
        String conversationId;
        final StringBuilder partial = new StringBuilder();
        WebSocket ws;

        Conn(CountDownLatch ready) {
            this.ready = ready;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                if (frame.startsWith("{\"type\":\"ready\"")) {
                    ready.countDown();
                } else if (frame.startsWith("{\"type\":\"stream_chunk\"") && firstChunkNanos == 0) {
                    firstChunkNanos = System.nanoTime();
                    firstChunk.countDown();
                } else if (frame.startsWith("{\"type\":\"stream_end\"") || frame.startsWith("{\"type\":\"error\"")) {
                    if (firstChunkNanos == 0 && firstChunk != null) {
                        System.err.println("no chunk: " + frame);
                        firstChunk.countDown();
                    }
                    if (ended != null) {
                        ended.countDown();
                    }
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed = true;
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed = true;
        }
    }

    static List<Conn> open(String token, int n) throws Exception {
        CountDownLatch ready = new CountDownLatch(n);
        List<Conn> conns = new ArrayList<>();
        URI uri = URI.create(GATEWAY.replaceFirst("^http", "ws") + "/ws");
        List<CompletableFuture<WebSocket>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Conn c = new Conn(ready);
            conns.add(c);
            pending.add(HTTP.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(uri, c)
                    .thenApply(ws -> c.ws = ws));
            if (pending.size() >= 50) { // open in waves of 50
                CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
                pending.clear();
            }
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        if (!ready.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException((n - ready.getCount()) + " of " + n + " connections got ready");
        }
        return conns;
    }

    static void idle(String token, int n) throws Exception {
        long t0 = System.nanoTime();
        List<Conn> conns = open(token, n);
        System.out.printf("opened %d connections in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
        System.out.println("READY"); // ws-gateway.sh reads the gateway's heap now
        Thread.sleep(30_000);
        long open = conns.stream().filter(c -> !c.closed).count();
        System.out.printf("after 30 s idle: %d of %d still open%n", open, n);
        conns.forEach(c -> c.ws.sendClose(1000, "done"));
    }

    static void ttfc(String token, int n, int rounds) throws Exception {
        List<Conn> conns = open(token, n);
        // one conversation per connection, created up front one at a time: the chats then measure the relay of a
        // message on an existing conversation (200 conversations created at once exhaust orchestration's DB pool)
        for (Conn c : conns) {
            Matcher m = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(post("/api/v1/conversations", token, "{}"));
            m.find();
            c.conversationId = m.group(1);
        }
        List<Double> millis = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failed = new AtomicInteger();
        for (int round = 0; round < rounds + 1; round++) { // round 0 warms up and is not counted
            CountDownLatch first = new CountDownLatch(n);
            CountDownLatch ended = new CountDownLatch(n);
            for (Conn c : conns) {
                c.firstChunk = first;
                c.ended = ended;
                c.firstChunkNanos = 0;
            }
            int r = round;
            for (Conn c : conns) {
                c.sentNanos = System.nanoTime();
                c.ws.sendText("{\"type\":\"chat\",\"id\":\"r" + r + "\",\"conversationId\":\"" + c.conversationId
                        + "\",\"content\":\"Tell me about gateways, round " + r + "\"}", true);
            }
            if (!first.await(180, TimeUnit.SECONDS) || !ended.await(180, TimeUnit.SECONDS)) {
                throw new IllegalStateException("round " + r + " did not finish");
            }
            if (round > 0) {
                for (Conn c : conns) {
                    if (c.firstChunkNanos == 0) {
                        failed.incrementAndGet();
                    } else {
                        millis.add((c.firstChunkNanos - c.sentNanos) / 1e6);
                    }
                }
            }
        }
        Collections.sort(millis);
        System.out.printf("%d concurrent streaming chats x %d rounds: %d measured, %d without a chunk%n",
                n, rounds, millis.size(), failed.get());
        System.out.printf("time to first chunk ms: p50 %.0f  p90 %.0f  p99 %.0f  max %.0f%n",
                pct(millis, 50), pct(millis, 90), pct(millis, 99), millis.getLast());
        conns.forEach(c -> c.ws.sendClose(1000, "done"));
    }

    static double pct(List<Double> sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
