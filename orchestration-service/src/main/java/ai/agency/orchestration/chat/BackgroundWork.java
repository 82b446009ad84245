package ai.agency.orchestration.chat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The work a chat turn leaves behind after its answer (memory extraction, the running summary). Each task runs on a
 * virtual thread, but at most {@code background-concurrency} at once — the rest wait their turn in order — so a burst
 * of turns does not flood memory-service (which would refuse the surplus at its bulkhead and lose those memories)
 * while the turns themselves still need it for recall. At most {@code background-queue} tasks wait; beyond that a
 * task is dropped, logged and counted in {@code agency_chat_background_dropped_total{task}}. Tasks waiting or running
 * are the gauge {@code agency_chat_background_pending}. At shutdown, tasks get a few seconds to finish; what is still
 * waiting then is not done.
 */
@Component
class BackgroundWork implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(BackgroundWork.class);

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore running;
    private final AtomicInteger pending = new AtomicInteger();
    private final int maxPending;
    private final MeterRegistry meters;

    BackgroundWork(ChatProperties properties, MeterRegistry meters) {
        this.running = new Semaphore(properties.backgroundConcurrency(), true);
        this.maxPending = properties.backgroundQueue() + properties.backgroundConcurrency();
        this.meters = meters;
        Gauge.builder("agency.chat.background.pending", pending, AtomicInteger::get)
                .description("Chat background tasks (memory extraction, summaries) waiting or running")
                .register(meters);
        dropped("extract-memories");
        dropped("summarize");
    }

    /** Runs {@code work} later; {@code task} names it in logs and metrics. Never blocks the caller. */
    void submit(String task, Runnable work) {
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            dropped(task).increment();
            log.warn("chat background queue is full ({} tasks); {} dropped", maxPending, task);
            return;
        }
        threads.execute(() -> {
            try {
                running.acquire();
            } catch (InterruptedException e) {
                pending.decrementAndGet();
                Thread.currentThread().interrupt();
                return;
            }
            try {
                work.run();
            } catch (RuntimeException e) {
                log.warn("chat background task {} failed", task, e);
            } finally {
                running.release();
                pending.decrementAndGet();
            }
        });
    }

    /** Tasks waiting or running. */
    int pending() {
        return pending.get();
    }

    private Counter dropped(String task) {
        return Counter.builder("agency.chat.background.dropped")
                .description("Chat background tasks dropped because the queue was full")
                .tag("task", task)
                .register(meters);
    }

    @Override
    public void destroy() throws InterruptedException {
        threads.shutdown();
        if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
            log.warn("{} chat background task(s) not finished at shutdown", pending.get());
            threads.shutdownNow();
        }
    }
}
