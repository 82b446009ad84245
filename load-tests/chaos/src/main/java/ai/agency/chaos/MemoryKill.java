package ai.agency.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Scenario b: memory-service is killed (SIGKILL) while {@code CHAOS_CHATS} (200) WebSocket clients chat back to back,
 * each asking about a fact it stored before. Every turn must still answer; a turn that could not recall must say so
 * ({@code degraded} with {@code memory}); after {@code ./platform up} recall must work again within 60 s of
 * memory-service's readiness, and no circuit breaker may stay open.
 */
final class MemoryKill {

    private static final String FACT = "My favourite colour is teal";
    private static final String QUESTION = "What is my favourite colour?";

    private final Platform platform;
    private final Verdict verdict = new Verdict("memory-kill");
    private final int chats = Integer.parseInt(System.getenv().getOrDefault("CHAOS_CHATS", "200"));
    private final int perUser = Integer.parseInt(System.getenv().getOrDefault("CHAOS_CHATS_PER_USER", "5"));
    private final Duration warmup = Duration.ofSeconds(15);
    private final Duration down =
            Duration.ofSeconds(Long.parseLong(System.getenv().getOrDefault("CHAOS_MEMORY_DOWN_SECONDS", "20")));

    MemoryKill(Platform platform) {
        this.platform = platform;
    }

    int run() throws Exception {
        platform.requireUp();
        int userCount = (chats + perUser - 1) / perUser;
        verdict.step("signing up " + userCount + " users, each storing \"" + FACT + "\"");
        List<Api.User> users = users(userCount);

        verdict.step("opening " + chats + " WebSockets, " + perUser + " per user; each asks \"" + QUESTION + "\" with "
                + ChatLoad.THINK.toMillis() + " ms between turns");
        long killedAt, readyAt, recallAt = -1;
        List<ChatLoad.Turn> turns;
        List<String> circuits;
        List<String> notClosed;
        double noneOpenAfter = -1;
        try (ChatLoad load = new ChatLoad(platform, users, chats, perUser, QUESTION)) {
            Api.sleep(warmup);
            verdict.step("kill -9 memory-service (" + load.turns().size() + " turns so far)");
            platform.kill("memory-service");
            killedAt = System.nanoTime();
            Api.sleep(down);
            verdict.step("./platform up (starts memory-service only)");
            Duration up = platform.up();
            readyAt = System.nanoTime();
            verdict.step("memory-service ready (./platform up took " + up.toSeconds() + " s); waiting for recall");
            long deadline = readyAt + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                long since = readyAt;
                // recall is back when a turn that started after readiness used the stored fact and skipped nothing
                if (load.turns().stream()
                        .anyMatch(t -> t.startNanos() > since
                                && t.memoriesUsed() > 0
                                && t.skipped().isEmpty())) {
                    recallAt = load.turns().stream()
                            .filter(t -> t.startNanos() > since
                                    && t.memoriesUsed() > 0
                                    && t.skipped().isEmpty())
                            .mapToLong(ChatLoad.Turn::endNanos)
                            .min()
                            .orElse(-1);
                    break;
                }
                Api.sleep(Duration.ofMillis(500));
            }
            Api.sleep(Duration.ofSeconds(10)); // a little steady state after recovery
            verdict.step("stopping the chats");
            Map<Integer, Long> closed = load.closedByServer();
            load.close();
            turns = load.turns();
            verdict.figure("sockets closed by the server (by code)", closed.isEmpty() ? "none" : closed);
            long stoppedAt = System.nanoTime();
            long circuitDeadline = stoppedAt + Duration.ofSeconds(30).toNanos();
            do {
                notClosed = platform.circuitsNotClosed();
                circuits = notClosed.stream()
                        .filter(c -> c.endsWith("=open") || c.endsWith("=forced_open"))
                        .toList();
                if (circuits.isEmpty()) {
                    noneOpenAfter = (System.nanoTime() - stoppedAt) / 1e9;
                    break;
                }
                Api.sleep(Duration.ofSeconds(1));
            } while (System.nanoTime() < circuitDeadline);
        }

        long kill = killedAt, ready = readyAt;
        report("before the kill", turns, t -> t.startNanos() < kill);
        report("memory-service down", turns, t -> t.startNanos() >= kill && t.startNanos() < ready);
        report("after its restart", turns, t -> t.startNanos() >= ready);
        List<ChatLoad.Turn> unanswered =
                turns.stream().filter(t -> !t.answered()).toList();
        Map<String, Integer> why = new TreeMap<>();
        unanswered.forEach(t -> why.merge(t.outcome(), 1, Integer::sum));
        verdict.check(
                unanswered.isEmpty(),
                "every turn answers (" + (turns.size() - unanswered.size()) + " of " + turns.size()
                        + (why.isEmpty() ? "" : "; not answered: " + why) + ")");
        long silent = turns.stream()
                .filter(t -> t.startNanos() >= kill && t.startNanos() < ready)
                .filter(t -> t.answered() && t.memoriesUsed() == 0 && !t.skippedMemory())
                .count();
        verdict.check(
                silent == 0,
                "every turn without recall while memory-service was down says so (degraded " + "memory); silent: "
                        + silent);
        verdict.figure(
                "recall back after readiness",
                recallAt < 0 ? "never (within 60 s)" : String.format("%.1f s", (recallAt - readyAt) / 1e9));
        verdict.check(recallAt > 0, "recall works again within 60 s of memory-service's readiness");
        verdict.figure("memory-service was down (kill → ready)", String.format("%.1f s", (readyAt - killedAt) / 1e9));
        verdict.figure("circuits not closed at the end", notClosed.isEmpty() ? "none" : notClosed);
        verdict.check(
                circuits.isEmpty(),
                circuits.isEmpty()
                        ? String.format(
                                "no circuit stays open (none open %.1f s after the chats stopped)", noneOpenAfter)
                        : "no circuit stays open (still open 30 s after the chats stopped: " + circuits + ")");
        return verdict.finish();
    }

    private void report(String phase, List<ChatLoad.Turn> turns, Predicate<ChatLoad.Turn> in) {
        List<ChatLoad.Turn> these = turns.stream().filter(in).toList();
        long answered = these.stream().filter(ChatLoad.Turn::answered).count();
        long recalled = these.stream().filter(t -> t.memoriesUsed() > 0).count();
        long degradedMemory =
                these.stream().filter(ChatLoad.Turn::skippedMemory).count();
        long degradedOther = these.stream()
                .filter(t -> !t.skipped().isEmpty() && !t.skippedMemory())
                .count();
        List<Long> ms = these.stream()
                .map(t -> (t.endNanos() - t.startNanos()) / 1_000_000)
                .sorted()
                .toList();
        Map<String, Integer> failed = new TreeMap<>();
        these.stream().filter(t -> !t.answered()).forEach(t -> failed.merge(t.outcome(), 1, Integer::sum));
        long shedTurns = these.stream().filter(t -> t.shed() > 0).count();
        int shed = these.stream().mapToInt(ChatLoad.Turn::shed).sum();
        verdict.figure(
                phase,
                String.format(
                        "%d turns, %d answered%s, %d recalled the fact, %d degraded (memory), %d degraded (other), "
                                + "%d shed first (%d refusals, sent again after retryAfter), "
                                + "turn p50 %s / p99 %s ms (from the first try)",
                        these.size(),
                        answered,
                        failed.isEmpty() ? "" : " (not: " + failed + ")",
                        recalled,
                        degradedMemory,
                        degradedOther,
                        shedTurns,
                        shed,
                        pct(ms, 50),
                        pct(ms, 99)));
    }

    private static String pct(List<Long> sorted, int p) {
        return sorted.isEmpty()
                ? "-"
                : String.valueOf(sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100)));
    }

    private List<Api.User> users(int count) throws Exception {
        return platform.api.newUsersWithMemory(platform.gateway(), "chaos-mem", count, FACT);
    }
}
