package ai.agency.common.limit;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import ai.agency.common.error.RateLimitedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * At most {@code perUser} units of work of one user and {@code total} of all users at once, so that one user cannot
 * take the capacity everyone shares. {@link #acquire} waits up to {@code maxWait} for a slot (a burst queues briefly,
 * fairly, instead of failing), then refuses: the user's own slots busy → {@link RateLimitedException} (429 with
 * {@code Retry-After}); the service's {@code total} busy → {@code resource_exhausted} (503).
 *
 * <p>Each user's slots are a fair {@link Semaphore} that exists only while that user holds or waits for a slot (a
 * reference count, changed atomically with the map entry), so memory is bounded by the callers in flight and a user's
 * entry can never be dropped, and its count reset, while slots are held — which a size- or time-bounded cache could
 * do. Semaphores rather than Resilience4j bulkheads: a bulkhead has one wait per instance, and callers here need both
 * a waiting and a non-waiting acquire on the same slots.
 *
 * <p>Metrics: {@code agency_concurrency_in_flight{limit}} and {@code agency_concurrency_rejected_total{limit, scope=
 * user|total}}.
 */
public final class UserConcurrencyLimit {

    private final String name;
    private final int perUser;
    private final Duration maxWait;
    private final ResizableSemaphore total;
    private volatile int totalSlots;
    private final Map<UUID, Slots> users = new ConcurrentHashMap<>();
    private final @Nullable Counter userRejections;
    private final @Nullable Counter totalRejections;

    /** One user's slots and how many callers hold or wait for them (changed only inside the map's compute). */
    private static final class Slots {
        final Semaphore semaphore;
        int references;

        Slots(int permits) {
            this.semaphore = new Semaphore(permits, true);
        }
    }

    /**
     * @param name names the limit in messages and metrics, e.g. {@code tool-calls}
     * @param perUser slots of one user
     * @param total slots of all users together
     * @param maxWait how long {@link #acquire} waits for a slot in all
     * @param meters where the metrics go (null: none)
     */
    public UserConcurrencyLimit(String name, int perUser, int total, Duration maxWait, @Nullable MeterRegistry meters) {
        if (perUser < 1 || total < 1 || maxWait.isNegative()) {
            throw new IllegalArgumentException("a concurrency limit needs perUser >= 1, total >= 1, maxWait >= 0");
        }
        this.name = name;
        this.perUser = perUser;
        this.maxWait = maxWait;
        this.totalSlots = total;
        this.total = new ResizableSemaphore(total);
        if (meters != null) {
            Gauge.builder("agency.concurrency.in.flight", this, UserConcurrencyLimit::inFlight)
                    .description("Slots of a per-user concurrency limit in use")
                    .tag("limit", name)
                    .register(meters);
            this.userRejections = rejections(meters, "user");
            this.totalRejections = rejections(meters, "total");
        } else {
            this.userRejections = null;
            this.totalRejections = null;
        }
    }

    private Counter rejections(MeterRegistry meters, String scope) {
        return Counter.builder("agency.concurrency.rejected")
                .description("Work refused because its user's or the service's concurrency slots were busy")
                .tag("limit", name)
                .tag("scope", scope)
                .register(meters);
    }

    /** A held slot; {@link #close()} gives it back (once; later calls do nothing). */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes one slot of {@code user} and one of the total, waiting up to {@code maxWait} in all.
     *
     * @throws RateLimitedException the user's slots stayed busy (429)
     * @throws AgencyException {@code resource_exhausted}: the service's slots stayed busy (503)
     */
    public Permit acquire(UUID user) {
        return take(user, maxWait.toNanos()).orElseThrow();
    }

    /** Takes a slot of {@code user} and of the total only if both are free now; never waits, never throws. */
    public Optional<Permit> tryAcquire(UUID user) {
        try {
            return take(user, -1);
        } catch (AgencyException busy) {
            return Optional.empty();
        }
    }

    /**
     * Changes the slots of all users together to {@code slots} (≥ 1), e.g. from an adaptive limit. Growing frees the
     * new slots at once (to waiting callers first); shrinking takes effect as held slots are given back — nothing
     * running is cut off, and no new caller is let in until the work in flight is below the new total.
     */
    public synchronized void resizeTotal(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("a concurrency limit needs total >= 1");
        }
        int change = slots - totalSlots;
        totalSlots = slots;
        if (change > 0) {
            total.release(change);
        } else if (change < 0) {
            total.reducePermits(-change);
        }
    }

    /** The slots of all users together now. */
    public int totalSlots() {
        return totalSlots;
    }

    /** Slots in use over all users. */
    public int inFlight() {
        return totalSlots - total.availablePermits();
    }

    /** Slots {@code user} holds now. */
    public int inFlight(UUID user) {
        Slots slots = users.get(user);
        return slots == null ? 0 : perUser - slots.semaphore.availablePermits();
    }

    /** Users with an entry (holding or waiting); for tests. */
    int trackedUsers() {
        return users.size();
    }

    /** {@code waitNanos} < 0: no waiting at all. */
    private Optional<Permit> take(UUID user, long waitNanos) {
        Slots slots = users.compute(user, (id, s) -> {
            Slots held = s == null ? new Slots(perUser) : s;
            held.references++;
            return held;
        });
        boolean userSlot = false;
        try {
            long deadline = System.nanoTime() + Math.max(0, waitNanos);
            userSlot = tryAcquire(slots.semaphore, waitNanos);
            if (!userSlot) {
                count(userRejections);
                throw new RateLimitedException(
                        "Too many " + name + " of yours at once: at most " + perUser
                                + " run at a time; retry when one has finished",
                        retryAfterSeconds());
            }
            if (!tryAcquire(total, waitNanos < 0 ? -1 : Math.max(0, deadline - System.nanoTime()))) {
                count(totalRejections);
                throw new AgencyException(
                        ErrorType.RESOURCE_EXHAUSTED,
                        "The service is running as many " + name + " as it allows (" + totalSlots + "); retry shortly");
            }
            return Optional.of(new Held(user, slots));
        } catch (RuntimeException refused) {
            if (userSlot) {
                slots.semaphore.release();
            }
            unreference(user, slots);
            throw refused;
        }
    }

    /** A fair semaphore whose permits can be taken away (they go negative until enough are released). */
    private static final class ResizableSemaphore extends Semaphore {
        ResizableSemaphore(int permits) {
            super(permits, true);
        }

        @Override
        protected void reducePermits(int reduction) {
            super.reducePermits(reduction);
        }
    }

    private static boolean tryAcquire(Semaphore semaphore, long waitNanos) {
        if (waitNanos < 0) {
            return semaphore.tryAcquire();
        }
        try {
            return semaphore.tryAcquire(waitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private long retryAfterSeconds() {
        return Math.max(1, (maxWait.toMillis() + 999) / 1000);
    }

    private void unreference(UUID user, Slots slots) {
        users.computeIfPresent(user, (id, s) -> s == slots && --s.references == 0 ? null : s);
    }

    private static void count(@Nullable Counter counter) {
        if (counter != null) {
            counter.increment();
        }
    }

    private final class Held implements Permit {
        private final UUID user;
        private final Slots slots;
        private final AtomicBoolean open = new AtomicBoolean(true);

        Held(UUID user, Slots slots) {
            this.user = user;
            this.slots = slots;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                total.release();
                slots.semaphore.release();
                unreference(user, slots);
            }
        }
    }
}
