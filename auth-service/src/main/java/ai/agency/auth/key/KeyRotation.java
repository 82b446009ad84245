package ai.agency.auth.key;

import ai.agency.auth.AuthProperties;
import ai.agency.auth.audit.AuditLog;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Rotates the signing key when it is older than {@code agency.auth.key-rotation-period} (checked hourly, safe with
 * several replicas: the check and the rotation run under a database lock) or when an admin asks.
 */
@Service
public class KeyRotation {

    private final SigningKeys keys;
    private final AuditLog audit;
    private final AuthProperties properties;

    KeyRotation(SigningKeys keys, AuditLog audit, AuthProperties properties) {
        this.keys = keys;
        this.audit = audit;
        this.properties = properties;
    }

    /** Rotates now; answers the new key id. */
    @Transactional
    public String rotateNow(@Nullable UUID actorId) {
        String previous = keys.active().kid();
        String kid = keys.rotate().kid();
        audit.record(
                AuditLog.KEY_ROTATED,
                null,
                actorId,
                Map.of("previousKid", previous, "kid", kid, "reason", actorId == null ? "scheduled" : "admin"));
        return kid;
    }

    /** Rotates when the active key is older than the rotation period; answers the new key id if it did. */
    @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT5M")
    @Transactional
    public Optional<String> rotateIfDue() {
        if (!keys.lockAndCheckActiveOlderThan(properties.keyRotationPeriod())) {
            return Optional.empty();
        }
        return Optional.of(rotateNow(null));
    }
}
