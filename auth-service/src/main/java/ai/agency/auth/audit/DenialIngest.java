package ai.agency.auth.audit;

import ai.agency.common.audit.AuthorizationDenial;
import ai.agency.common.audit.AuthorizationDenialListener;
import ai.agency.common.error.RateLimitedException;
import ai.agency.common.security.Caller;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

/**
 * Authorization denials into the audit log ({@code authorization.denied}). Other services report theirs over HTTP
 * with the denied caller's own token ({@link #ingest}); auth-service's own denials are written directly (this bean is
 * auth-service's {@link AuthorizationDenialListener}, so common-lib does not start its HTTP reporter here).
 *
 * <p>The user an event is about is always the verified token's subject, and the roles are the token's; what the body
 * says about the service, method, path and reason is recorded as claimed. A user can therefore only add denials
 * about themselves, at most {@value #MAX_PER_MINUTE} a minute per replica.
 */
@Service
public class DenialIngest implements AuthorizationDenialListener {

    public static final String TYPE = "authorization.denied";
    static final int MAX_PER_MINUTE = 120;

    /** One claimed denial, as a service reports it. */
    public record Claim(
            String service,
            String method,
            @Nullable String path,
            @Nullable String reason,
            @Nullable String traceId) {}

    private final AuditLog audit;
    private final Map<UUID, Window> windows = new ConcurrentHashMap<>();

    private record Window(long minute, AtomicInteger count) {}

    DenialIngest(AuditLog audit) {
        this.audit = audit;
    }

    /** Records denials another service reported; the caller is the denied user, proven by its token. */
    public int ingest(Caller caller, List<Claim> claims) {
        take(caller.id(), claims.size());
        List<String> roles = caller.roles().stream().sorted().toList();
        for (Claim claim : claims) {
            record(caller.id(), roles, claim, "reported");
        }
        return claims.size();
    }

    /** auth-service's own denials (called by common-lib on the request thread). */
    @Override
    public void denied(AuthorizationDenial denial) {
        UUID subject;
        try {
            subject = UUID.fromString(denial.subject());
        } catch (IllegalArgumentException | NullPointerException e) {
            return;
        }
        record(
                subject,
                denial.roles(),
                new Claim(denial.service(), denial.method(), denial.path(), denial.reason(), denial.traceId()),
                "local");
    }

    private void record(UUID userId, List<String> roles, Claim claim, String source) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("service", claim.service());
        details.put("method", claim.method());
        details.put("path", claim.path());
        details.put("reason", claim.reason());
        details.put("traceId", claim.traceId());
        details.put("roles", roles);
        details.put("source", source);
        details.values().removeIf(java.util.Objects::isNull);
        audit.record(TYPE, userId, details);
    }

    private void take(UUID userId, int events) {
        long minute = Instant.now().getEpochSecond() / 60;
        Window window = windows.compute(
                userId, (id, w) -> w == null || w.minute() != minute ? new Window(minute, new AtomicInteger()) : w);
        if (window.count().addAndGet(events) > MAX_PER_MINUTE) {
            throw new RateLimitedException("Too many audit events from this caller; try again in a minute", 60);
        }
        if (windows.size() > 10_000) {
            windows.entrySet().removeIf(e -> e.getValue().minute() != minute);
        }
    }
}
