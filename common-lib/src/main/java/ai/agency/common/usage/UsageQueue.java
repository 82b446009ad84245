package ai.agency.common.usage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

/**
 * The recorder of a service without a database (multimodal-service): events wait in a bounded in-memory queue and a
 * virtual thread sends them to the owner, keeping them while it is away. Unlike the outbox, a crash loses what was
 * still queued (at most about one relay interval of events while the owner answers); a queue that is full drops and
 * counts new events ({@code agency_usage_events_dropped_total}). The owner still counts each event once.
 */
public class UsageQueue implements SmartLifecycle {

    static final int CAPACITY = 10_000;

    private final OwnerIngest owner;
    private final UsageProperties properties;
    private final Deque<UsageEvent> queue = new ArrayDeque<>();
    private final Counter relayed;
    private final Counter dropped;
    private final Counter failures;
    private volatile boolean running;
    private @Nullable Thread thread;

    public UsageQueue(URI ownerBaseUrl, UsageProperties properties, MeterRegistry meters) {
        this.owner = new OwnerIngest(ownerBaseUrl, properties);
        this.properties = properties;
        this.relayed = Counter.builder("agency.usage.events.relayed")
                .description("Usage events delivered from this service to the owner")
                .register(meters);
        this.dropped = Counter.builder("agency.usage.events.dropped")
                .description("Usage events dropped because the in-memory queue was full")
                .register(meters);
        this.failures = Counter.builder("agency.usage.relay.failures")
                .description("Batches of usage events the owner could not be reached for or refused (they wait)")
                .register(meters);
    }

    /** Queues the event; never blocks. */
    public void record(UsageEvent event) {
        synchronized (queue) {
            if (queue.size() >= CAPACITY) {
                dropped.increment();
                return;
            }
            queue.addLast(event);
        }
    }

    /** Sends what is queued now; the number delivered (stops at the first failed batch). */
    public int flush() {
        int total = 0;
        while (true) {
            List<UsageEvent> batch = new ArrayList<>();
            synchronized (queue) {
                while (batch.size() < properties.batchSize() && !queue.isEmpty()) {
                    batch.add(queue.removeFirst());
                }
            }
            if (batch.isEmpty()) {
                return total;
            }
            if (!owner.send(batch)) {
                failures.increment();
                synchronized (queue) { // back at the front, in order, to be sent again
                    for (int i = batch.size() - 1; i >= 0; i--) {
                        queue.addFirst(batch.get(i));
                    }
                }
                return total;
            }
            relayed.increment(batch.size());
            total += batch.size();
        }
    }

    private void loop() {
        while (running) {
            try {
                flush();
                Thread.sleep(properties.relayInterval());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                owner.warn("Usage queue failed: " + e);
            }
        }
    }

    @Override
    public void start() {
        running = true;
        thread = Thread.ofVirtual().name("agency-usage-queue").start(this::loop);
    }

    /** Stops the thread and tries once more to deliver what is queued. */
    @Override
    public void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(properties.requestTimeout().plusSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flush();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
