package ai.agency.memory.memory;

import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Moves the memories of callers who outgrew the exact scan ({@code agency.memory.search.exact-scan-max-rows} live
 * memories) into the HNSW graph, 1,000 rows per transaction. Until all of a caller's live memories are in it, their
 * search keeps using the exact scan, so nothing is ever missed; their new memories join the graph on insert from
 * then on. Everyone else's memories stay out of the graph and cost no graph insert.
 */
@Component
public class GraphPromotion {

    private static final Logger log = LoggerFactory.getLogger(GraphPromotion.class);
    private static final int BATCH = 1000;

    private final MemoryWrites repository;

    GraphPromotion(MemoryWrites repository) {
        this.repository = repository;
    }

    /** One pass: every caller over the threshold with memories outside the graph; returns the rows moved. */
    @Scheduled(
            fixedDelayString = "${agency.memory.graph-promotion-interval:PT1M}",
            initialDelayString = "${agency.memory.graph-promotion-initial-delay:PT10S}")
    public int run() {
        int total = 0;
        for (UUID caller : repository.callersToMoveIntoTheGraph()) {
            int moved;
            int forCaller = 0;
            do {
                moved = repository.moveIntoTheGraph(caller, BATCH);
                forCaller += moved;
            } while (moved == BATCH);
            log.info("Moved {} memories of caller {} into the HNSW graph", forCaller, caller);
            total += forCaller;
        }
        return total;
    }
}
