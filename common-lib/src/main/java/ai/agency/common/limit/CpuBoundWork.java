package ai.agency.common.limit;

import ai.agency.common.error.RateLimitedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * CPU-bound work (a password hash, a parse of an upload) run at most {@code maxConcurrent} at once, on platform
 * threads of its own. Later callers wait in a fair queue up to {@code maxWait}, then get a {@link RateLimitedException}
 * (429 with {@code Retry-After}): load is shed, not turned into timeouts.
 *
 * <p>Why platform threads: request threads are virtual, and the JVM gives virtual threads one carrier per processor. A
 * CPU-bound task does not yield its carrier, so on a 2-core machine two hashes, or two regular expressions stuck in
 * backtracking, starved every other request of the service — health checks included — until they ended. On threads of
 * their own, the operating system time-slices them with the carriers.
 *
 * <p>A slot is held until the work really ends, not until its caller stops waiting: a task that ignores interruption
 * after a {@linkplain #call(Callable, Duration, Supplier) timeout} keeps its slot, so runaway work can never exceed the
 * bound.
 *
 * <p>Metrics, under the given prefix: {@code <prefix>.in.flight}, {@code <prefix>.waiting} (gauges) and {@code
 * <prefix>.rejected} (counter).
 */
public final class CpuBoundWork implements AutoCloseable {

    private final Semaphore slots;
    private final ExecutorService workers;
    private final Duration maxWait;
    private final String busyMessage;
    private final Counter rejected;

    /**
     * @param name names the worker threads, e.g. {@code password-hashing}
     * @param maxConcurrent tasks that run at once (≥ 1)
     * @param maxWait how long a caller waits for a slot before the 429
     * @param busyMessage the 429's detail
     * @param meters where the metrics go
     * @param metricPrefix e.g. {@code agency.password.hashing}
     */
    public CpuBoundWork(
            String name,
            int maxConcurrent,
            Duration maxWait,
            String busyMessage,
            MeterRegistry meters,
            String metricPrefix) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1, was " + maxConcurrent);
        }
        this.slots = new Semaphore(maxConcurrent, true);
        this.workers = Executors.newFixedThreadPool(
                maxConcurrent, Thread.ofPlatform().name(name + "-", 1).daemon().factory());
        this.maxWait = maxWait;
        this.busyMessage = busyMessage;
        Gauge.builder(metricPrefix + ".in.flight", slots, s -> maxConcurrent - s.availablePermits())
                .description("Tasks running now (" + name + ")")
                .register(meters);
        Gauge.builder(metricPrefix + ".waiting", slots, Semaphore::getQueueLength)
                .description("Tasks waiting for a slot (" + name + ")")
                .register(meters);
        this.rejected = Counter.builder(metricPrefix + ".rejected")
                .description("Tasks refused (429) because the slots stayed busy (" + name + ")")
                .register(meters);
    }

    /** Runs {@code work} in a slot and waits for its result, however long it takes. */
    public <T> T call(Callable<T> work) {
        Future<T> result = submit(work);
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.cancel(true);
            throw new IllegalStateException("interrupted while waiting for " + work, e);
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
    }

    /**
     * Runs {@code work} in a slot and waits for it at most {@code timeout}; past it, interrupts the work and throws
     * what {@code onTimeout} gives. The work keeps its slot until it has really stopped.
     */
    public <T> T call(Callable<T> work, Duration timeout, Supplier<? extends RuntimeException> onTimeout) {
        Future<T> result = submit(work);
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
            throw onTimeout.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.cancel(true);
            throw new IllegalStateException("interrupted while waiting for " + work, e);
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }

    private <T> Future<T> submit(Callable<T> work) {
        boolean acquired;
        try {
            acquired = slots.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            rejected.increment();
            throw new RateLimitedException(busyMessage, (maxWait.toMillis() + 999) / 1000);
        }
        AtomicBoolean started = new AtomicBoolean();
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                slots.release();
            }
        };
        FutureTask<T> task =
                new FutureTask<>(() -> {
                    started.set(true);
                    try {
                        return work.call();
                    } finally {
                        release.run(); // when the work really ends, not when its caller gives up
                    }
                }) {
                    @Override
                    protected void done() {
                        if (isCancelled() && !started.get()) {
                            release.run(); // cancelled before it started: it never will
                        }
                    }
                };
        try {
            workers.execute(task);
        } catch (RuntimeException e) { // refused after close()
            release.run();
            throw e;
        }
        return task;
    }

    private static RuntimeException unwrap(ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(cause);
    }
}
