package ai.agency.tool.execution;

import ai.agency.common.security.Caller;
import ai.agency.common.usage.Quotas;
import ai.agency.common.usage.UsageEvent;
import ai.agency.common.usage.UsageRecorder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A tool call's place in the user's usage: the {@code tool_calls_per_minute} quota checked before it runs (the limit
 * from auth-service's quota state, the count from this service's own execution log, per UTC minute), and the
 * execution log row written with its usage event in one transaction once it ran.
 */
@Component
class ToolCallUsage {

    private static final Logger log = LoggerFactory.getLogger(ToolCallUsage.class);

    private final ExecutionRepository executions;
    private final UsageRecorder usage;
    private final Quotas quotas;
    private final TransactionTemplate tx;

    ToolCallUsage(ExecutionRepository executions, UsageRecorder usage, Quotas quotas, TransactionTemplate tx) {
        this.executions = executions;
        this.usage = usage;
        this.quotas = quotas;
        this.tx = tx;
    }

    /** 429 (quota, limit, resetsAt) when the caller's calls of this UTC minute reached the limit. */
    void requireQuota(Caller caller) {
        quotas.of(caller, Quotas.TOOL_CALLS_PER_MINUTE).ifPresent(quota -> {
            Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
            Quotas.requireBelow(
                    new Quotas.Quota(quota.name(), quota.limit(), 0, minute.plus(1, ChronoUnit.MINUTES)),
                    executions.ranSince(caller.id(), minute));
        });
    }

    /** Logs the execution; one that ran (was not refused) is a tool call of its user. Never throws. */
    void logged(ExecutionRepository.Execution execution) {
        try {
            tx.executeWithoutResult(status -> {
                executions.insert(execution);
                if (!ToolExecutor.REJECTED.equals(execution.outcome())) {
                    usage.record(UsageEvent.toolCall(execution.id(), execution.userId(), execution.tool()));
                }
            });
        } catch (RuntimeException e) {
            log.warn("Could not write the execution log row for tool {}: {}", execution.tool(), e.toString());
        }
    }
}
