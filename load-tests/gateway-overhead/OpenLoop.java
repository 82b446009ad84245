import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load at a fixed rate (the way users arrive, whatever the server's speed): request i is due at
 * start + i / rate and its latency counts from that moment, so a stalled server cannot hide its queue (no coordinated
 * omission). Each request carries the next token of the tokens file (one per line). Run with the JDK's source
 * launcher:
 *
 * <pre>java load-tests/gateway-overhead/OpenLoop.java URL RATE SECONDS TOKENS_FILE</pre>
 */
public class OpenLoop {

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        List<String> tokens = Files.readAllLines(Path.of(args[3])).stream().filter(t -> !t.isBlank()).toList();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        int n = rate * seconds;
        long[] latencies = new long[n];
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + 100_000_000L;
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                int k = i;
                threads.submit(() -> {
                    HttpRequest request = HttpRequest.newBuilder(url)
                            .header("Authorization", "Bearer " + tokens.get(k % tokens.size()))
                            .timeout(Duration.ofSeconds(30))
                            .build();
                    try {
                        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        if (response.statusCode() / 100 != 2) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    latencies[k] = System.nanoTime() - due;
                    done.incrementAndGet();
                });
            }
        }
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        System.out.printf(
                "%s rate=%d/s n=%d errors=%d p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms%n",
                url,
                rate,
                done.get(),
                errors.get(),
                at(sorted, 0.50),
                at(sorted, 0.90),
                at(sorted, 0.99),
                sorted[n - 1] / 1e6);
    }

    private static double at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }
}
