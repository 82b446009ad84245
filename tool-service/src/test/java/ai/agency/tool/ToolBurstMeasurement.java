package ai.agency.tool;

import ai.agency.common.testsupport.TestHttp.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * A measurement, not part of the suite (surefire runs {@code *Test} classes only): 200 users call the calculator back
 * to back for 10 s against the default bulkhead (16 slots) with production circuit settings, and it prints the
 * outcomes and latencies (docs/benchmarks/faults.md):
 * {@code ./mvnw -B -q -pl tool-service -am verify -Dtest=ToolBurstMeasurement -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=none -Dfailsafe.failIfNoSpecifiedTests=false | grep BURST}; {@code -Dburst.users}, {@code -Dburst.seconds}
 * change the load.
 */
@TestPropertySource(properties = {"agency.tool.circuit-window=10", "agency.tool.circuit-open-wait=30s"})
class ToolBurstMeasurement extends ToolApiTest {

    @Test
    void measure() throws Exception {
        int users = Integer.getInteger("burst.users", 200);
        long seconds = Long.getLong("burst.seconds", 10);
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            tokens.add(newUser());
        }
        Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        long[] end = new long[1];
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String token : tokens) {
                callers.submit(() -> {
                    go.await();
                    while (System.nanoTime() < end[0]) {
                        long t = System.nanoTime();
                        Response r = execute(token, "calculator", Map.of("expression", "17*23"));
                        latencies.add((System.nanoTime() - t) / 1_000_000);
                        String key = r.status() == 200
                                ? (r.json().get("success").asBoolean()
                                        ? "success-391="
                                                + (r.json()
                                                                .get("data")
                                                                .get("result")
                                                                .asDouble()
                                                        == 391.0)
                                        : "200-failed-"
                                                + r.json()
                                                        .get("error")
                                                        .get("errorType")
                                                        .asString())
                                : r.status() + "-" + r.json().path("errorType").asString();
                        outcomes.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
                    }
                    return null;
                });
            }
            end[0] = System.nanoTime() + seconds * 1_000_000_000L;
            go.countDown();
        }
        List<Long> sorted = new ArrayList<>(latencies);
        java.util.Collections.sort(sorted);
        long total = sorted.size();
        System.out.println("BURST users=" + users + " seconds=" + seconds + " calls=" + total + " outcomes=" + outcomes
                + " p50=" + sorted.get((int) (total * 0.5)) + "ms p99=" + sorted.get((int) (total * 0.99))
                + "ms max=" + sorted.getLast() + "ms");
    }
}
