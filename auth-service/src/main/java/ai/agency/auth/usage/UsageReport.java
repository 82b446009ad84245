package ai.agency.auth.usage;

import ai.agency.common.usage.UsageEvent;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The answer of {@code GET /api/v1/usage}: every day of the range (days without usage are zeros), totals, quotas. */
record UsageReport(List<Day> days, Totals totals, List<QuotaPolicy.QuotaView> quotas) {

    record ModelUsage(String provider, String model, long tokensIn, long tokensOut) {}

    record ToolUsage(String tool, long calls) {}

    record Modalities(long text, long image, long audio, long video) {}

    record Day(
            LocalDate date,
            long tokensIn,
            long tokensOut,
            long turns,
            long toolCalls,
            long memoriesAdded,
            long memoryBytes,
            long analyses,
            long workflowSteps,
            List<ModelUsage> byModel,
            List<ToolUsage> byTool,
            Modalities analysesByModality) {}

    record Totals(
            long tokensIn,
            long tokensOut,
            long turns,
            long toolCalls,
            long memoriesAdded,
            long memoryBytes,
            long analyses,
            long workflowSteps,
            List<ModelUsage> byModel,
            List<ToolUsage> byTool,
            Modalities analysesByModality) {}

    static UsageReport of(
            LocalDate from, LocalDate to, List<UsageLedger.Row> rows, List<QuotaPolicy.QuotaView> quotas) {
        Map<LocalDate, Tally> byDay = new TreeMap<>();
        Tally total = new Tally();
        for (UsageLedger.Row row : rows) {
            byDay.computeIfAbsent(row.day(), d -> new Tally()).add(row);
            total.add(row);
        }
        List<Day> days = new ArrayList<>();
        for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
            days.add(byDay.getOrDefault(day, new Tally()).day(day));
        }
        return new UsageReport(days, total.totals(), quotas);
    }

    /** Sums of counter rows. */
    private static final class Tally {
        long tokensIn;
        long tokensOut;
        long turns;
        long toolCalls;
        long memoriesAdded;
        long memoryBytes;
        long workflowSteps;
        final Map<String, long[]> models = new TreeMap<>();
        final Map<String, Long> tools = new TreeMap<>();
        final Map<String, Long> modalities = new TreeMap<>();

        void add(UsageLedger.Row row) {
            switch (row.kind()) {
                case UsageEvent.TOKENS -> {
                    tokensIn += row.tokensIn();
                    tokensOut += row.tokensOut();
                    long[] model = models.computeIfAbsent(row.subject(), s -> new long[2]);
                    model[0] += row.tokensIn();
                    model[1] += row.tokensOut();
                }
                case UsageEvent.TURN -> turns += row.count();
                case UsageEvent.TOOL_CALL -> {
                    toolCalls += row.count();
                    tools.merge(row.subject(), row.count(), Long::sum);
                }
                case UsageEvent.MEMORY_ADDED -> {
                    memoriesAdded += row.count();
                    memoryBytes += row.bytes();
                }
                case UsageEvent.ANALYSIS -> modalities.merge(row.subject(), row.count(), Long::sum);
                case UsageEvent.WORKFLOW_STEP -> workflowSteps += row.count();
                default -> {
                    // memory_removed counts only towards the memories_total quota
                }
            }
        }

        long analyses() {
            return modalities.values().stream().mapToLong(Long::longValue).sum();
        }

        List<ModelUsage> byModel() {
            List<ModelUsage> list = new ArrayList<>();
            models.forEach((subject, sums) -> {
                int slash = subject.indexOf('/');
                String provider = slash < 0 ? subject : subject.substring(0, slash);
                String model = slash < 0 ? "" : subject.substring(slash + 1);
                list.add(new ModelUsage(provider, model, sums[0], sums[1]));
            });
            return list;
        }

        List<ToolUsage> byTool() {
            return tools.entrySet().stream()
                    .map(e -> new ToolUsage(e.getKey(), e.getValue()))
                    .toList();
        }

        Modalities modalities() {
            return new Modalities(
                    modalities.getOrDefault("text", 0L),
                    modalities.getOrDefault("image", 0L),
                    modalities.getOrDefault("audio", 0L),
                    modalities.getOrDefault("video", 0L));
        }

        Day day(LocalDate date) {
            return new Day(
                    date,
                    tokensIn,
                    tokensOut,
                    turns,
                    toolCalls,
                    memoriesAdded,
                    memoryBytes,
                    analyses(),
                    workflowSteps,
                    byModel(),
                    byTool(),
                    modalities());
        }

        Totals totals() {
            return new Totals(
                    tokensIn,
                    tokensOut,
                    turns,
                    toolCalls,
                    memoriesAdded,
                    memoryBytes,
                    analyses(),
                    workflowSteps,
                    byModel(),
                    byTool(),
                    modalities());
        }
    }
}
