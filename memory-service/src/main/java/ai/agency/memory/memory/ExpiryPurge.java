package ai.agency.memory.memory;

import ai.agency.common.usage.UsageEvent;
import ai.agency.common.usage.UsageRecorder;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Expired memories vanish from reads at once (every query checks expires_at); this job deletes them for good, in
 * batches of {@value #BATCH}. Each batch reports what it removed per user as a {@code memory_removed} usage event in its
 * own transaction, so that the {@code memories_total} quota counts an expired memory out exactly once.
 */
@Component
public class ExpiryPurge {

    static final int BATCH = 1000;

    private static final Logger log = LoggerFactory.getLogger(ExpiryPurge.class);

    private final MemoryWrites repository;
    private final TransactionTemplate tx;
    private final UsageRecorder usage;

    ExpiryPurge(MemoryWrites repository, TransactionTemplate tx, UsageRecorder usage) {
        this.repository = repository;
        this.tx = tx;
        this.usage = usage;
    }

    /** Purges every expired memory; returns how many. */
    @Scheduled(fixedDelayString = "${agency.memory.purge-interval:PT5M}", initialDelayString = "PT1M")
    public int purge() {
        int total = 0;
        int purged;
        do {
            purged = tx.execute(status -> {
                Map<UUID, Integer> byUser = repository.purgeExpired(BATCH);
                usage.recordAll(byUser.entrySet().stream()
                        .map(e -> UsageEvent.memoriesRemoved(UUID.randomUUID(), e.getKey(), e.getValue()))
                        .toList());
                return byUser.values().stream().mapToInt(Integer::intValue).sum();
            });
            total += purged;
        } while (purged == BATCH);
        if (total > 0) {
            log.info("Purged {} expired memories", total);
        }
        return total;
    }
}
