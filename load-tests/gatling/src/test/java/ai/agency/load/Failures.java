package ai.agency.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** What the failed requests answered (status and problem {@code errorType}), printed when a simulation ends. */
public final class Failures {

    private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();

    private Failures() {}

    static void record(String request, String status) {
        COUNTS.computeIfAbsent(request + " → " + status, k -> new LongAdder()).increment();
    }

    public static void print() {
        Map<String, Long> sorted = new TreeMap<>();
        COUNTS.forEach((key, count) -> sorted.put(key, count.sum()));
        System.out.println("---- Failures by answer (shedding excluded) ----");
        if (sorted.isEmpty()) {
            System.out.println("none");
        }
        sorted.forEach((key, count) -> System.out.println(count + "\t" + key));
    }
}
