package ai.agency.orchestration.experiment;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Experiment metrics ({@code /actuator/prometheus}), tagged {@code agent}, {@code experiment} and {@code variant} (the
 * version): {@code agency_experiment_turns_total}, {@code agency_experiment_turn_seconds} and
 * {@code agency_experiment_first_chunk_seconds} (histograms), {@code agency_experiment_tokens_total},
 * {@code agency_experiment_tool_errors_total} and {@code agency_experiment_feedback_total{rating}}. Each
 * series is registered once at start with the tags {@code none} (zero), so dashboards and the exported-metrics check
 * see the names before the first experiment; panels filter {@code experiment!="none"}.
 */
@Component
public class ExperimentMetrics {

    private final MeterRegistry registry;

    /** The tag value of the zero series registered at start. */
    static final String NONE = "none";

    ExperimentMetrics(MeterRegistry registry) {
        this.registry = registry;
        Tags none = Tags.of("agent", NONE, "experiment", NONE, "variant", NONE);
        counter("agency.experiment.turns", "Chat turns answered by a variant of an experiment", none);
        timer("agency.experiment.turn", "Duration of a chat turn of a variant", none);
        timer("agency.experiment.first.chunk", "Time to the first streamed chunk of a variant's answer", none);
        counter("agency.experiment.tokens", "Model tokens (in and out) of a variant's turns", none);
        counter("agency.experiment.tool.errors", "Failed tool calls of a variant's turns", none);
        counter("agency.experiment.feedback", "Ratings of a variant's answers", none.and("rating", "up"));
        counter("agency.experiment.feedback", "Ratings of a variant's answers", none.and("rating", "down"));
    }

    /** One turn of a variant; {@code firstChunk} null when it was not streamed. */
    public void turn(
            UUID agentId,
            UUID experimentId,
            int version,
            Duration turn,
            Duration firstChunk,
            long tokens,
            long toolErrors) {
        Tags tags = tags(agentId, experimentId, version);
        counter("agency.experiment.turns", "Chat turns answered by a variant of an experiment", tags)
                .increment();
        timer("agency.experiment.turn", "Duration of a chat turn of a variant", tags)
                .record(turn);
        if (firstChunk != null) {
            timer("agency.experiment.first.chunk", "Time to the first streamed chunk of a variant's answer", tags)
                    .record(firstChunk);
        }
        counter("agency.experiment.tokens", "Model tokens (in and out) of a variant's turns", tags)
                .increment(tokens);
        counter("agency.experiment.tool.errors", "Failed tool calls of a variant's turns", tags)
                .increment(toolErrors);
    }

    /** A thumbs up or down on an answer of a variant. */
    public void feedback(UUID agentId, UUID experimentId, int version, String rating) {
        counter(
                        "agency.experiment.feedback",
                        "Ratings of a variant's answers",
                        tags(agentId, experimentId, version).and("rating", rating))
                .increment();
    }

    private Counter counter(String name, String description, Tags tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    private Timer timer(String name, String description, Tags tags) {
        return Timer.builder(name)
                .description(description)
                .publishPercentileHistogram()
                .tags(tags)
                .register(registry);
    }

    private static Tags tags(UUID agentId, UUID experimentId, int version) {
        return Tags.of("agent", agentId.toString(), "experiment", experimentId.toString(), "variant", "v" + version);
    }
}
