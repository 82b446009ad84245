package ai.agency.memory.memory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Expired memories vanish from reads at once (every query checks expires_at); this job deletes them for good. */
@Component
class ExpiryPurge {

    private static final Logger log = LoggerFactory.getLogger(ExpiryPurge.class);

    private final MemoryRepository repository;

    ExpiryPurge(MemoryRepository repository) {
        this.repository = repository;
    }

    @Scheduled(fixedDelayString = "${agency.memory.purge-interval:PT5M}", initialDelayString = "PT1M")
    void purge() {
        int total = 0;
        int purged;
        do {
            purged = repository.purgeExpired(1000);
            total += purged;
        } while (purged == 1000);
        if (total > 0) {
            log.info("Purged {} expired memories", total);
        }
    }
}
