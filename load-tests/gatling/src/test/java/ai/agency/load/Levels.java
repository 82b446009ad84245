package ai.agency.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The saturation table: per level (step label) the throughput, the percentiles of admitted requests, errors and
 * shedding, and the machine's load average while the level ran; printed when a simulation ends and written to
 * {@code target/levels-<simulation>.txt}. A level is within capacity when the p99 of its admitted requests is under
 * 2 s and under 1 % of them failed (shed requests counted apart); the saturation point is the highest such level.
 */
public final class Levels {

    static final long P99_LIMIT_MS = 2000;
    static final double ERROR_LIMIT = 0.01;

    private record Sample(long at, double load) {}

    private static final class Level {
        final List<Long> admitted = Collections.synchronizedList(new ArrayList<>());
        final Map<String, List<Long>> byRequest = new ConcurrentHashMap<>();
        long errors;
        long shed;
        long units;
        volatile long first = Long.MAX_VALUE;
        volatile long last;
    }

    private static final Map<String, Level> LEVELS = Collections.synchronizedMap(new LinkedHashMap<>());
    private static final List<Sample> LOAD = Collections.synchronizedList(new ArrayList<>());
    private static final ScheduledExecutorService SAMPLER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "load-average");
        thread.setDaemon(true);
        return thread;
    });

    static {
        SAMPLER.scheduleAtFixedRate(
                () -> LOAD.add(new Sample(System.currentTimeMillis(), loadAverage())), 0, 5, TimeUnit.SECONDS);
    }

    private Levels() {}

    /**
     * One finished request of {@code level}. {@code unit} marks the requests that count as the scenario's unit of
     * throughput (a chat turn, a finished workflow run, a new user's profile, a memory request). Names starting with
     * {@code "run: "} are journeys (several requests and the client's pauses): listed, but not part of the level's
     * request percentiles.
     */
    static void record(String level, String request, long millis, boolean ok, boolean shed, boolean unit) {
        Level l = LEVELS.computeIfAbsent(level.isBlank() ? "steady" : level.trim(), k -> new Level());
        long now = System.currentTimeMillis();
        synchronized (l) {
            l.first = Math.min(l.first, now - millis);
            l.last = Math.max(l.last, now);
            if (shed) {
                l.shed++;
                return;
            }
            if (!ok) {
                l.errors++;
            }
            if (unit && ok) {
                l.units++;
            }
        }
        if (!request.startsWith("run: ")) { // a journey of several requests and pauses: reported, not a request
            l.admitted.add(millis);
        }
        l.byRequest
                .computeIfAbsent(request, k -> Collections.synchronizedList(new ArrayList<>()))
                .add(millis);
    }

    /** Prints and writes the table; {@code unitName} names the throughput column (e.g. "turns/s"). */
    public static void print(String simulation, String unitName) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "---- %s: levels (admitted = answered, not shed; within capacity: p99 < %d ms and errors < 1 %%) ----%n",
                simulation,
                P99_LIMIT_MS));
        out.append(String.format(
                Locale.ROOT,
                "%-12s %8s %8s %7s %7s %7s %7s %7s %6s %7s %7s  %s%n",
                "level",
                "admitted",
                unitName,
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "max ms",
                "errors",
                "err %",
                "shed",
                "load",
                "verdict"));
        String saturation = "none";
        List<String> slowest = new ArrayList<>();
        synchronized (LEVELS) {
            for (Map.Entry<String, Level> entry : LEVELS.entrySet()) {
                Level l = entry.getValue();
                List<Long> times;
                synchronized (l.admitted) {
                    times = new ArrayList<>(l.admitted);
                }
                Collections.sort(times);
                double seconds = Math.max(1, (l.last - l.first) / 1000.0);
                double errorRate = times.isEmpty() ? 0 : (double) l.errors / times.size();
                long p99 = percentile(times, 0.99);
                boolean within = !times.isEmpty() && p99 < P99_LIMIT_MS && errorRate < ERROR_LIMIT;
                if (within && entry.getKey().matches("@[0-9.]+/s")) { // stair-step levels only
                    saturation = entry.getKey();
                }
                out.append(String.format(
                        Locale.ROOT,
                        "%-12s %8d %8.2f %7d %7d %7d %7d %7d %6.2f %7d %7.1f  %s%n",
                        entry.getKey(),
                        times.size(),
                        l.units / seconds,
                        percentile(times, 0.50),
                        percentile(times, 0.95),
                        p99,
                        times.isEmpty() ? 0 : times.get(times.size() - 1),
                        l.errors,
                        100 * errorRate,
                        l.shed,
                        averageLoad(l.first, l.last),
                        within ? "within capacity" : "SATURATED"));
                l.byRequest.forEach((request, list) -> {
                    List<Long> sorted;
                    synchronized (list) {
                        sorted = new ArrayList<>(list);
                    }
                    Collections.sort(sorted);
                    slowest.add(String.format(
                            Locale.ROOT,
                            "  %-12s %-44s n=%-6d p50=%-6d p95=%-6d p99=%d",
                            entry.getKey(),
                            request,
                            sorted.size(),
                            percentile(sorted, 0.50),
                            percentile(sorted, 0.95),
                            percentile(sorted, 0.99)));
                });
            }
        }
        out.append("saturation point (highest level within capacity): ")
                .append(saturation)
                .append(System.lineSeparator());
        out.append("per request (admitted):").append(System.lineSeparator());
        slowest.forEach(line -> out.append(line).append(System.lineSeparator()));
        System.out.print(out);
        try {
            Files.createDirectories(LoadConfig.targetDir());
            Files.writeString(LoadConfig.targetDir().resolve("levels-" + simulation + ".txt"), out.toString());
        } catch (IOException e) {
            System.out.println("could not write the levels file: " + e.getMessage());
        }
    }

    private static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static double averageLoad(long from, long to) {
        synchronized (LOAD) {
            return LOAD.stream()
                    .filter(s -> s.at() >= from - 5000 && s.at() <= to + 5000)
                    .mapToDouble(Sample::load)
                    .average()
                    .orElse(loadAverage());
        }
    }

    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
