package ai.agency.orchestration.workflow;

import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * Wakes event streams of this instance when a run event has been committed. Streams also poll, so events
 * committed by another instance are seen within the poll interval.
 */
@Component
class RunNotifier {

    private long version;

    synchronized void changed() {
        version++;
        notifyAll();
    }

    synchronized long version() {
        return version;
    }

    /** Waits until something changed after {@code seen}, or the timeout passed. */
    synchronized void await(long seen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (version == seen) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
