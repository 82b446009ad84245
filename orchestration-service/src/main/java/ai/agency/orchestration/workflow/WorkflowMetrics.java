package ai.agency.orchestration.workflow;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * {@code agency_workflow_runs_total{status}} (finished runs), {@code agency_workflow_step_seconds{type,outcome}},
 * {@code agency_workflow_queue_depth} (steps whose dependencies are met but that wait for an execution slot) and
 * {@code agency_workflow_approvals_waiting} — the last two for the runs this instance executes.
 */
@Component
class WorkflowMetrics {

    private final MeterRegistry registry;

    WorkflowMetrics(MeterRegistry registry) {
        this.registry = registry;
        // registered up front, so that dashboards and alerts see 0 rather than no series before a run has ended
        for (String status : List.of(Run.SUCCEEDED, Run.FAILED, Run.CANCELLED)) {
            runs(status);
        }
    }

    private Counter runs(String status) {
        return Counter.builder("agency_workflow_runs_total")
                .description("Workflow runs ended, by final status")
                .tag("status", status)
                .register(registry);
    }

    void gauges(Supplier<Number> queueDepth, Supplier<Number> approvalsWaiting) {
        Gauge.builder("agency_workflow_queue_depth", queueDepth).register(registry);
        Gauge.builder("agency_workflow_approvals_waiting", approvalsWaiting).register(registry);
    }

    void runFinished(String status) {
        runs(status).increment();
    }

    void step(String type, String outcome, Duration duration) {
        Timer.builder("agency_workflow_step_seconds")
                .tag("type", type)
                .tag("outcome", outcome)
                .register(registry)
                .record(duration);
    }
}
