import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

// Chat load through the gateway's WebSocket (not a test). Single file, JDK only:
//   java load-tests/ws-gateway/ChatLoad.java saturate [clients=200] [seconds=30]
//   java load-tests/ws-gateway/ChatLoad.java openloop [turns/s=10] [seconds=300] [clients=50] [window=60]
// against a running platform (GATEWAY_URL, default http://localhost:8080) started as load-tests/bench.sh's header says
// (one user's many connections and turns must not be refused).
//
// Every turn is the same work: "What is a * b?" (a, b new random two-digit numbers each turn) on a conversation of its
// connection, streamed, by a user who has a memory (so the recall embeds the new query and searches), answered by the
// local provider through the calculator tool. A turn is right when its streamed answer contains a * b and it ends
// with stream_end.
//
//   saturate  `clients` connections send turns back to back for `seconds` (after 10 s of the same load, not counted):
//             turns/s, right turns/s, time to first chunk and to the end of the turn. A turn refused with 429
//             (the orchestrator's adaptive admission) is not counted; its client waits 0.5-1.5 s and sends again.
//   openloop  turns arrive at random (Poisson, mean `turns/s`) over `clients` connections, each from the moment it was
//             scheduled, however late it is sent (no coordinated omission): time to first chunk p50/p95/p99 and
//             errors per `window` seconds, from the first turn on (run it right after a start for the first minute).
public class ChatLoad {

    static final String GATEWAY = System.getenv().getOrDefault("GATEWAY_URL", "http://localhost:8080");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    static final Pattern REQUEST_ID = Pattern.compile("\"requestId\":\"([^\"]+)\"");
    static final Pattern CONTENT = Pattern.compile("\"content\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "saturate";
        String token = login();
        post("/api/v1/memories", token, "{\"content\":\"I live in Lisbon and I drink green tea.\",\"infer\":false}");
        if (mode.equals("openloop")) {
            double rate = args.length > 1 ? Double.parseDouble(args[1]) : 10;
            int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 300;
            int clients = args.length > 3 ? Integer.parseInt(args[3]) : 50;
            int window = args.length > 4 ? Integer.parseInt(args[4]) : 60;
            openLoop(token, rate, seconds, clients, window);
        } else {
            int clients = args.length > 1 ? Integer.parseInt(args[1]) : 200;
            int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
            saturate(token, clients, seconds);
        }
        System.exit(0);
    }

    /** One chat turn: when it was scheduled, its first chunk, the answer so far, and how it ended. */
    static final class Turn {
        final long scheduledNanos;
        volatile long firstChunkNanos;
        volatile long endNanos;
        volatile boolean shed; // refused with 429 (admission control): the client waits as told, then sends again
        final StringBuilder answer = new StringBuilder();
        final String question;
        final String expected;
        final CompletableFuture<Boolean> done = new CompletableFuture<>(); // true = right answer

        /** A new product each turn, so that the recall embeds a query it has not seen (no cache hit). */
        Turn(long scheduledNanos) {
            this.scheduledNanos = scheduledNanos;
            int a = ThreadLocalRandom.current().nextInt(11, 100);
            int b = ThreadLocalRandom.current().nextInt(11, 100);
            this.question = "What is " + a + " * " + b + "?";
            this.expected = Integer.toString(a * b);
        }

        double ttfcMillis() {
            return (firstChunkNanos - scheduledNanos) / 1e6;
        }

        double turnMillis() {
            return (endNanos - scheduledNanos) / 1e6;
        }
    }

    /** One connection and its turns in flight, by request id. */
    static final class Conn implements WebSocket.Listener {
        final CountDownLatch ready;
        final Map<String, Turn> turns = new ConcurrentHashMap<>();
        final StringBuilder partial = new StringBuilder();
        final AtomicLong next = new AtomicLong();
        String conversationId;
        WebSocket ws;

        Conn(CountDownLatch ready) {
            this.ready = ready;
        }

        synchronized Turn send(long scheduledNanos) {
            String id = "t" + next.incrementAndGet();
            Turn turn = new Turn(scheduledNanos);
            turns.put(id, turn);
            ws.sendText("{\"type\":\"chat\",\"id\":\"" + id + "\",\"conversationId\":\"" + conversationId
                            + "\",\"content\":\"" + turn.question + "\"}", true)
                    .join();
            return turn;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frame(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        private void frame(String frame) {
            if (frame.startsWith("{\"type\":\"ready\"")) {
                ready.countDown();
                return;
            }
            Matcher id = REQUEST_ID.matcher(frame);
            Turn turn = id.find() ? turns.get(id.group(1)) : null;
            if (turn == null) {
                return;
            }
            if (frame.startsWith("{\"type\":\"stream_chunk\"")) {
                if (turn.firstChunkNanos == 0) {
                    turn.firstChunkNanos = System.nanoTime();
                }
                Matcher content = CONTENT.matcher(frame);
                if (content.find()) {
                    turn.answer.append(content.group(1));
                }
            } else if (frame.startsWith("{\"type\":\"stream_end\"") || frame.startsWith("{\"type\":\"error\"")) {
                turn.endNanos = System.nanoTime();
                turns.remove(id.group(1));
                boolean right = frame.startsWith("{\"type\":\"stream_end\"") && turn.answer.indexOf(turn.expected) >= 0;
                turn.shed = frame.contains("\"status\":429");
                if (turn.shed) {
                    shed.incrementAndGet();
                } else if (!right && errors.incrementAndGet() <= 3) {
                    System.err.println("wrong or failed turn: " + frame + " answer: " + turn.answer);
                }
                turn.done.complete(right);
            }
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            turns.values().forEach(t -> t.done.complete(false));
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            turns.values().forEach(t -> t.done.complete(false));
            return null;
        }
    }

    static final AtomicInteger errors = new AtomicInteger();
    static final AtomicInteger shed = new AtomicInteger();

    static void saturate(String token, int clients, int seconds) throws Exception {
        List<Conn> conns = open(token, clients);
        List<Turn> counted = Collections.synchronizedList(new ArrayList<>());
        long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long until = warmUntil + TimeUnit.SECONDS.toNanos(seconds);
        System.out.println("MEASURING"); // bench.sh reads the processes' CPU time from here ...
        List<Thread> threads = new ArrayList<>();
        for (Conn c : conns) {
            threads.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < until) {
                    long sent = System.nanoTime();
                    Turn turn = c.send(sent);
                    turn.done.completeOnTimeout(false, 120, TimeUnit.SECONDS).join();
                    if (turn.shed) { // Retry-After is 1 s: wait 0.5-1.5 s, as a well-behaved client would
                        sleepQuietly(500 + ThreadLocalRandom.current().nextInt(1000));
                        continue;
                    }
                    if (sent >= warmUntil && turn.endNanos != 0 && turn.endNanos <= until) {
                        counted.add(turn);
                    }
                }
            }));
        }
        Thread.sleep(Duration.ofNanos(until - System.nanoTime()));
        System.out.println("MEASURED"); // ... to here
        for (Thread t : threads) {
            t.join();
        }
        long right = counted.stream().filter(t -> t.done.join()).count();
        List<Double> ttfc = sorted(counted.stream().filter(t -> t.firstChunkNanos != 0).map(Turn::ttfcMillis).toList());
        List<Double> whole = sorted(counted.stream().map(Turn::turnMillis).toList());
        System.out.printf("%d clients back to back for %d s: %d turns ended, %.1f turns/s, %.1f right turns/s (%.0f %%)%n",
                clients, seconds, counted.size(), counted.size() / (double) seconds, right / (double) seconds,
                100.0 * right / Math.max(1, counted.size()));
        System.out.printf("turns=%d right=%d seconds=%d (and %d refused with 429 over the whole run, retried after a pause)%n",
                counted.size(), right, seconds, shed.get());
        if (!ttfc.isEmpty()) {
            System.out.printf("time to first chunk ms: p50 %.0f  p95 %.0f  p99 %.0f;  whole turn ms: p50 %.0f  p99 %.0f%n",
                    pct(ttfc, 50), pct(ttfc, 95), pct(ttfc, 99), pct(whole, 50), pct(whole, 99));
        }
        conns.forEach(c -> c.ws.sendClose(1000, "done"));
    }

    static void openLoop(String token, double rate, int seconds, int clients, int window) throws Exception {
        List<Conn> conns = open(token, clients);
        Random random = new Random(42);
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        List<Turn> all = Collections.synchronizedList(new ArrayList<>());
        long at = start;
        int i = 0;
        while (true) {
            at += (long) (-Math.log(1 - random.nextDouble()) / rate * 1e9);
            if (at >= end) {
                break;
            }
            long wait = at - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(Duration.ofNanos(wait));
            }
            Conn c = conns.get(i++ % clients);
            long scheduled = at;
            Thread.ofVirtual().start(() -> all.add(c.send(scheduled)));
        }
        Thread.sleep(Duration.ofSeconds(5));
        synchronized (all) {
            for (Turn t : all) {
                t.done.completeOnTimeout(false, 120, TimeUnit.SECONDS).join();
            }
        }
        System.out.printf("open loop, %.1f turns/s (Poisson) over %d connections for %d s: %d turns%n",
                rate, clients, seconds, all.size());
        for (int w = 0; w * window < seconds; w++) {
            long from = start + TimeUnit.SECONDS.toNanos((long) w * window);
            long to = from + TimeUnit.SECONDS.toNanos(window);
            List<Turn> in = all.stream().filter(t -> t.scheduledNanos >= from && t.scheduledNanos < to).toList();
            List<Double> ttfc = sorted(in.stream().filter(t -> t.firstChunkNanos != 0).map(Turn::ttfcMillis).toList());
            long wrong = in.stream().filter(t -> !t.done.join()).count();
            System.out.printf("window %d (%d-%d s): %d turns, %d wrong or failed, first chunk ms p50 %.0f  p95 %.0f  p99 %.0f%n",
                    w + 1, w * window, (w + 1) * window, in.size(), wrong, pct(ttfc, 50), pct(ttfc, 95), pct(ttfc, 99));
        }
        conns.forEach(c -> c.ws.sendClose(1000, "done"));
    }

    static List<Conn> open(String token, int n) throws Exception {
        CountDownLatch ready = new CountDownLatch(n);
        List<Conn> conns = new ArrayList<>();
        URI uri = URI.create(GATEWAY.replaceFirst("^http", "ws") + "/ws");
        for (int i = 0; i < n; i++) {
            Conn c = new Conn(ready);
            c.ws = HTTP.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(uri, c)
                    .join();
            Matcher m = ID.matcher(post("/api/v1/conversations", token, "{}"));
            if (!m.find()) {
                throw new IllegalStateException("no conversation id");
            }
            c.conversationId = m.group(1);
            conns.add(c);
        }
        if (!ready.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException((n - ready.getCount()) + " of " + n + " connections got ready");
        }
        return conns;
    }

    static String login() throws Exception {
        String user = "chatload" + System.currentTimeMillis();
        post("/api/v1/auth/register", null, "{\"username\":\"" + user + "\",\"email\":\"" + user
                + "@example.com\",\"password\":\"benchmark-password\"}");
        Matcher m = Pattern.compile("\"accessToken\":\"([^\"]+)\"")
                .matcher(post("/api/v1/auth/login", null,
                        "{\"username\":\"" + user + "\",\"password\":\"benchmark-password\"}"));
        if (!m.find()) {
            throw new IllegalStateException("login failed");
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

    static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static List<Double> sorted(List<Double> values) {
        List<Double> copy = new ArrayList<>(values);
        Collections.sort(copy);
        return copy;
    }

    static double pct(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
