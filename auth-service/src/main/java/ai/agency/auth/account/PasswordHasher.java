package ai.agency.auth.account;

import ai.agency.auth.AuthProperties;
import ai.agency.common.error.RateLimitedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The one BCrypt encoder of the service, and the bound on how many hashes run at once. A hash is ~0.3 s of CPU at
 * cost 12: at most {@code agency.auth.password-hashing.max-concurrent} run together (default: one per processor),
 * later ones wait in a fair queue up to {@code max-wait} and are then refused with a 429 and {@code Retry-After} —
 * load is shed, not turned into timeouts. A hash never runs inside a transaction (it would hold a pooled database
 * connection for its whole duration, and 32 sign-ups then exhausted the pool): callers hash first, then write.
 *
 * <p>The hashes run on {@code max-concurrent} platform threads of their own, never on the caller's virtual thread: a
 * CPU-bound hash does not yield its carrier, and with one carrier per core two hashes starved every other request of
 * the service — including those holding a pooled connection, so the pool still timed out.
 *
 * <p>Metrics: {@code agency_password_hashing_in_flight}, {@code agency_password_hashing_waiting} and
 * {@code agency_password_hashing_rejected_total}.
 */
@Component
public class PasswordHasher implements DisposableBean {

    private final BCryptPasswordEncoder encoder;
    private final Semaphore slots;
    private final ExecutorService workers;
    private final int maxConcurrent;
    private final Duration maxWait;
    private final Counter rejected;
    /** Checked when there is no stored hash (unknown user), so that a check takes about as long either way. */
    private final String dummyHash;

    public PasswordHasher(AuthProperties properties, MeterRegistry meters) {
        AuthProperties.PasswordHashing limits = properties.passwordHashing();
        this.encoder = new BCryptPasswordEncoder(properties.bcryptCost());
        this.maxConcurrent = limits.maxConcurrent();
        this.maxWait = limits.maxWait();
        this.slots = new Semaphore(maxConcurrent, true);
        this.workers = Executors.newFixedThreadPool(
                maxConcurrent,
                Thread.ofPlatform().name("password-hashing-", 1).daemon().factory());
        this.dummyHash = encoder.encode("not-a-real-password-" + UUID.randomUUID());
        Gauge.builder("agency.password.hashing.in.flight", slots, s -> maxConcurrent - s.availablePermits())
                .description("Password hashes and checks running now")
                .register(meters);
        Gauge.builder("agency.password.hashing.waiting", slots, Semaphore::getQueueLength)
                .description("Password hashes and checks waiting for a slot")
                .register(meters);
        this.rejected = Counter.builder("agency.password.hashing.rejected")
                .description("Password hashes and checks refused (429) because the slots stayed busy")
                .register(meters);
    }

    /** The BCrypt hash of {@code password}. */
    public String hash(String password) {
        return bounded(() -> encoder.encode(password));
    }

    /**
     * Whether {@code password} matches {@code storedHash}; a null {@code storedHash} (no such account) checks against a
     * dummy hash and answers false, taking as long as a real check.
     */
    public boolean matches(String password, String storedHash) {
        return bounded(
                () -> encoder.matches(password, storedHash != null ? storedHash : dummyHash) && storedHash != null);
    }

    @Override
    public void destroy() {
        workers.shutdownNow();
    }

    private <T> T bounded(Callable<T> work) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException(
                    "a password hash must not run inside a transaction (it holds a connection)");
        }
        boolean acquired;
        try {
            acquired = slots.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            rejected.increment();
            throw new RateLimitedException(
                    "Too many sign-ins and password changes are being checked at once; try again shortly",
                    (maxWait.toMillis() + 999) / 1000);
        }
        Future<T> result = workers.submit(work);
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.cancel(true);
            throw new IllegalStateException("interrupted while a password hash ran", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } finally {
            slots.release();
        }
    }
}
