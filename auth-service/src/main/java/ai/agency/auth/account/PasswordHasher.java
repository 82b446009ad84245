package ai.agency.auth.account;

import ai.agency.auth.AuthProperties;
import ai.agency.common.limit.CpuBoundWork;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
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
 * <p>The hashes run on {@code max-concurrent} platform threads of their own (common-lib's {@link CpuBoundWork}), never
 * on the caller's virtual thread: a CPU-bound hash does not yield its carrier, and with one carrier per core two hashes
 * starved every other request of the service — including those holding a pooled connection, so the pool still timed
 * out.
 *
 * <p>Metrics: {@code agency_password_hashing_in_flight}, {@code agency_password_hashing_waiting} and
 * {@code agency_password_hashing_rejected_total}.
 */
@Component
public class PasswordHasher implements DisposableBean {

    private final BCryptPasswordEncoder encoder;
    private final CpuBoundWork hashing;
    /** Checked when there is no stored hash (unknown user), so that a check takes about as long either way. */
    private final String dummyHash;

    public PasswordHasher(AuthProperties properties, MeterRegistry meters) {
        AuthProperties.PasswordHashing limits = properties.passwordHashing();
        this.encoder = new BCryptPasswordEncoder(properties.bcryptCost());
        this.hashing = new CpuBoundWork(
                "password-hashing",
                limits.maxConcurrent(),
                limits.maxWait(),
                "Too many sign-ins and password changes are being checked at once; try again shortly",
                meters,
                "agency.password.hashing");
        this.dummyHash = java.util.Objects.requireNonNull(encoder.encode("not-a-real-password-" + UUID.randomUUID()));
    }

    /** The BCrypt hash of {@code password}. */
    public String hash(String password) {
        return bounded(() -> encoder.encode(password));
    }

    /**
     * Whether {@code password} matches {@code storedHash}; a null {@code storedHash} (no such account) checks against a
     * dummy hash and answers false, taking as long as a real check.
     */
    public boolean matches(String password, @Nullable String storedHash) {
        return bounded(
                () -> encoder.matches(password, storedHash != null ? storedHash : dummyHash) && storedHash != null);
    }

    @Override
    public void destroy() {
        hashing.close();
    }

    private <T> T bounded(Callable<T> work) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException(
                    "a password hash must not run inside a transaction (it holds a connection)");
        }
        return hashing.call(work);
    }
}
