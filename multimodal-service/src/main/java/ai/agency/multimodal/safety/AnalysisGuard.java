package ai.agency.multimodal.safety;

import ai.agency.common.error.AgencyException;
import ai.agency.multimodal.MultimodalProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Runs every analysis with a time limit and records its metrics: {@code agency_analysis_total{modality,outcome}},
 * the {@code agency_analysis_seconds{modality}} histogram and {@code agency_analysis_bytes_total{modality}}.
 * A parse that runs past the limit is interrupted and answered with a 422 problem.
 */
@Component
public class AnalysisGuard implements DisposableBean {

    private final MeterRegistry registry;
    private final MultimodalProperties properties;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    public AnalysisGuard(MeterRegistry registry, MultimodalProperties properties) {
        this.registry = registry;
        this.properties = properties;
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
        Future<T> future = executor.submit(task);
        try {
            T result = future.get(properties.analysisTimeout().toMillis(), TimeUnit.MILLISECONDS);
            outcome = "success";
            return result;
        } catch (TimeoutException e) {
            future.cancel(true);
            outcome = "rejected";
            throw Rejections.unreadable(
                    field,
                    "could not be analysed within "
                            + properties.analysisTimeout().toSeconds() + " s");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AgencyException agency) {
                outcome = agency.status().is4xxClientError() ? "rejected" : "error";
                throw agency;
            }
            if (cause instanceof OutOfMemoryError || cause instanceof StackOverflowError) {
                outcome = "rejected";
                throw Rejections.unreadable(field, "is too complex to analyse");
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        } finally {
            sample.stop(Timer.builder("agency.analysis.seconds")
                    .description("Time to analyse one input")
                    .tag("modality", modality)
                    .publishPercentileHistogram()
                    .register(registry));
            Counter.builder("agency.analysis")
                    .description("Analyses by modality and outcome (success, rejected, error)")
                    .tag("modality", modality)
                    .tag("outcome", outcome)
                    .register(registry)
                    .increment();
        }
    }

    @Override
    public void destroy() {
        executor.shutdownNow();
    }
}
