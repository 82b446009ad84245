package ai.agency.multimodal.safety;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.RateLimitedException;
import ai.agency.common.limit.CpuBoundWork;
import ai.agency.common.security.Caller;
import ai.agency.common.usage.UsageEvent;
import ai.agency.common.usage.UsageQueue;
import ai.agency.multimodal.MultimodalProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Runs every analysis with a time limit and a bound on how many run at once, and records its metrics:
 * {@code agency_analysis_total{modality,outcome}}, the {@code agency_analysis_seconds{modality}} histogram,
 * {@code agency_analysis_bytes_total{modality}}, and the slots' {@code agency_analysis_slots_in_flight},
 * {@code agency_analysis_slots_waiting} and {@code agency_analysis_slots_rejected_total}.
 *
 * <p>Analyses are CPU-bound: at most {@code max-concurrent-analyses} run at once, on platform threads of their own
 * (common-lib's {@link CpuBoundWork}); others wait up to {@code analysis-queue-wait}, then get a 429 with
 * {@code Retry-After}. Before, each ran on a virtual thread of its own: two hostile texts whose regular expressions
 * backtracked for minutes held both carriers of a 2-core machine, and the whole service — health checks included —
 * stopped answering. A parse that runs past {@code analysis-timeout} is interrupted (text matching checks for it, see
 * {@code InterruptibleText}) and answered with a 422 problem; it keeps its slot until it has really stopped.
 */
@Component
public class AnalysisGuard implements DisposableBean {

    private final MeterRegistry registry;
    private final MultimodalProperties properties;
    private final CpuBoundWork slots;
    private final @Nullable UsageQueue usage;

    public AnalysisGuard(MeterRegistry registry, MultimodalProperties properties, ObjectProvider<UsageQueue> usage) {
        this.registry = registry;
        this.usage = usage.getIfAvailable();
        this.properties = properties;
        this.slots = new CpuBoundWork(
                "analysis",
                properties.maxConcurrentAnalyses(),
                properties.analysisQueueWait(),
                "Too many analyses are running at once; try again shortly",
                registry,
                "agency.analysis.slots");
    }

    /** Runs {@code task} for {@code modality} on {@code bytes} bytes of input. */
    public <T> T run(String modality, String field, long bytes, Callable<T> task) {
        Counter.builder("agency.analysis.bytes")
                .description("Bytes of input received for analysis")
                .baseUnit("bytes")
                .tag("modality", modality)
                .register(registry)
                .increment(bytes);
        Timer.Sample sample = Timer.start(registry);
        String outcome = "error";
        try {
            T result = slots.call(
                    task,
                    properties.analysisTimeout(),
                    () -> Rejections.unreadable(
                            field,
                            "could not be analysed within "
                                    + properties.analysisTimeout().toSeconds() + " s"));
            outcome = "success";
            return result;
        } catch (RateLimitedException busy) {
            outcome = "busy";
            throw busy;
        } catch (AgencyException agency) {
            outcome = agency.status().is4xxClientError() ? "rejected" : "error";
            throw agency;
        } catch (OutOfMemoryError | StackOverflowError e) {
            outcome = "rejected";
            throw Rejections.unreadable(field, "is too complex to analyse");
        } catch (InterruptedAnalysis e) {
            outcome = "rejected";
            throw Rejections.unreadable(
                    field,
                    "could not be analysed within "
                            + properties.analysisTimeout().toSeconds() + " s");
        } finally {
            sample.stop(Timer.builder("agency.analysis.seconds")
                    .description("Time to analyse one input")
                    .tag("modality", modality)
                    .publishPercentileHistogram()
                    .register(registry));
            Counter.builder("agency.analysis")
                    .description("Analyses by modality and outcome (success, rejected, busy, error)")
                    .tag("modality", modality)
                    .tag("outcome", outcome)
                    .register(registry)
                    .increment();
        }
    }

    /**
     * An analysis done for the caller is a usage event of theirs ({@code analysis}, by modality), sent to auth-service
     * from an in-memory queue (this service has no database for an outbox); returns {@code result}.
     */
    public <T> T counted(Caller caller, String modality, T result) {
        UsageQueue queue = usage;
        if (queue != null) {
            queue.record(UsageEvent.analysis(UUID.randomUUID(), caller.id(), modality));
        }
        return result;
    }

    @Override
    public void destroy() {
        slots.close();
    }
}
