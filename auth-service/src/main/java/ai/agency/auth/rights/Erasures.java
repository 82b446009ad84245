package ai.agency.auth.rights;

import ai.agency.auth.account.AccountService;
import ai.agency.auth.account.UserRepository;
import ai.agency.auth.audit.AuditLog;
import ai.agency.common.error.AgencyException;
import java.net.URI;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Account erasure, coordinated from here and durable: starting one disables the account (every token stops working
 * at once) and records one row per service that holds users' data, plus one for this service. A job, on every
 * replica, claims due rows ({@code FOR UPDATE SKIP LOCKED} and a lease), calls the service's {@code DELETE
 * /internal/account-data} with a job token and marks the row done when the service confirms; a service that is down
 * or fails is tried again with a growing delay (up to {@code max-retry-delay}) until it confirms, across restarts.
 * When every other service confirmed, this service erases its own data, the account row last, and the erasure is
 * done. Each service's erase is idempotent, so a row tried twice (a lease that ran out) does no harm.
 */
@Service
public class Erasures {

    static final String SELF = "auth-service";

    private static final Logger log = LoggerFactory.getLogger(Erasures.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration LEASE = Duration.ofMinutes(2);

    private final JdbcClient jdbc;
    private final AccountDataSettings settings;
    private final AccountService accounts;
    private final UserRepository users;
    private final JobTokens tokens;
    private final AccountDataCalls calls;
    private final AuthAccountData local;
    private final AuditLog audit;
    private final TransactionTemplate tx;

    Erasures(
            JdbcClient jdbc,
            AccountDataSettings settings,
            AccountService accounts,
            UserRepository users,
            JobTokens tokens,
            AccountDataCalls calls,
            AuthAccountData local,
            AuditLog audit,
            TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.settings = settings;
        this.accounts = accounts;
        this.users = users;
        this.tokens = tokens;
        this.calls = calls;
        this.local = local;
        this.audit = audit;
        this.tx = tx;
    }

    /** What an erasure has done so far, per service. */
    public record ErasureView(
            UUID id,
            UUID userId,
            String status,
            Instant createdAt,
            @Nullable Instant finishedAt,
            Map<String, String> services,
            List<ServiceView> details) {}

    public record ServiceView(
            String service,
            String status,
            int attempts,
            @Nullable String lastError,
            @Nullable Object erased,
            @Nullable Instant doneAt) {}

    /**
     * Starts the erasure of the user's account, or answers the one already running. The account is disabled in the
     * same transaction (409 for the last active admin).
     */
    @Transactional
    public UUID start(UUID userId, @Nullable UUID requestedBy) {
        users.findById(userId).orElseThrow(() -> AgencyException.notFound("user", userId));
        var running = jdbc.sql("SELECT id FROM account_erasures WHERE user_id = :u AND status = 'running'")
                .param("u", userId)
                .query(UUID.class)
                .optional();
        if (running.isPresent()) {
            return running.get();
        }
        accounts.setDisabled(requestedBy != null ? requestedBy : userId, userId, true);
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO account_erasures (id, user_id, requested_by) VALUES (:id, :u, :by)")
                .param("id", id)
                .param("u", userId)
                .param("by", requestedBy)
                .update();
        List<String> services = new ArrayList<>(settings.services().keySet());
        services.add(SELF);
        for (String service : services) {
            jdbc.sql("INSERT INTO account_erasure_services (erasure_id, service) VALUES (:id, :s)")
                    .param("id", id)
                    .param("s", service)
                    .update();
        }
        log.info("erasure {} of user {} started ({} services)", id, userId, services.size());
        return id;
    }

    public ErasureView view(UUID id) {
        var erasure = jdbc.sql("SELECT user_id, status, created_at, finished_at FROM account_erasures WHERE id = :id")
                .param("id", id)
                .query((rs, n) -> new Object[] {
                    rs.getObject(1, UUID.class), rs.getString(2), rs.getTimestamp(3), rs.getTimestamp(4)
                })
                .optional()
                .orElseThrow(() -> AgencyException.notFound("erasure", id));
        List<ServiceView> details = jdbc.sql("""
                        SELECT service, status, attempts, last_error, erased::text AS erased, done_at
                        FROM account_erasure_services WHERE erasure_id = :id ORDER BY service = 'auth-service', service
                        """)
                .param("id", id)
                .query((rs, n) -> new ServiceView(
                        rs.getString("service"),
                        rs.getString("status"),
                        rs.getInt("attempts"),
                        rs.getString("last_error"),
                        rs.getString("erased") == null ? null : JSON.readTree(rs.getString("erased")),
                        instant(rs.getTimestamp("done_at"))))
                .list();
        Map<String, String> services = new LinkedHashMap<>();
        details.forEach(d -> services.put(d.service(), d.status()));
        return new ErasureView(
                id,
                (UUID) erasure[0],
                (String) erasure[1],
                ((Timestamp) erasure[2]).toInstant(),
                instant((Timestamp) erasure[3]),
                services,
                details);
    }

    /** One round of the job: the due services, then the erasures whose other services all confirmed. */
    @Scheduled(fixedDelayString = "${agency.auth.account-data.poll-interval:1s}", initialDelayString = "PT2S")
    public void work() {
        for (Due due : claim("s.service <> 'auth-service'", 10)) {
            callService(due);
        }
        for (Due due : claim(
                "s.service = 'auth-service' AND NOT EXISTS (SELECT 1 FROM account_erasure_services o"
                        + " WHERE o.erasure_id = s.erasure_id AND o.service <> 'auth-service' AND o.status <> 'done')",
                10)) {
            eraseHere(due);
        }
    }

    private record Due(
            UUID erasureId,
            String service,
            int attempts,
            UUID userId,
            @Nullable UUID requestedBy) {}

    private List<Due> claim(String condition, int limit) {
        return jdbc.sql("""
                        UPDATE account_erasure_services s SET claimed_until = now() + CAST(:lease AS interval),
                               attempts = s.attempts + 1
                        FROM account_erasures e
                        WHERE e.id = s.erasure_id AND (s.erasure_id, s.service) IN (
                            SELECT s.erasure_id, s.service FROM account_erasure_services s
                            WHERE s.status = 'pending' AND s.next_attempt_at <= now()
                              AND (s.claimed_until IS NULL OR s.claimed_until < now()) AND %s
                            ORDER BY s.next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED)
                        RETURNING s.erasure_id, s.service, s.attempts, e.user_id, e.requested_by
                        """.formatted(condition))
                .param("lease", LEASE.toSeconds() + " seconds")
                .param("limit", limit)
                .query((rs, n) -> new Due(
                        rs.getObject(1, UUID.class),
                        rs.getString(2),
                        rs.getInt(3),
                        rs.getObject(4, UUID.class),
                        rs.getObject(5, UUID.class)))
                .list();
    }

    private void callService(Due due) {
        URI base = settings.services().get(due.service());
        try {
            if (base == null) {
                throw new IllegalStateException("the service is no longer configured (agency.auth.account-data)");
            }
            Map<String, Long> erased = calls.erase(base, tokens.mint(due.userId(), "erasure"));
            done(due, erased);
            log.info("erasure {}: {} confirmed {}", due.erasureId(), due.service(), erased);
        } catch (Exception e) {
            retryLater(due, e);
        }
    }

    private void eraseHere(Due due) {
        try {
            tx.executeWithoutResult(status -> {
                Map<String, Long> erased = local.erase(due.userId());
                done(due, erased);
                jdbc.sql("UPDATE account_erasures SET status = 'done', finished_at = now() WHERE id = :id")
                        .param("id", due.erasureId())
                        .update();
                audit.record(
                        AuditLog.USER_ERASED,
                        due.userId(),
                        due.requestedBy(),
                        Map.of("erasureId", due.erasureId().toString()));
            });
            log.info("erasure {} of user {} done", due.erasureId(), due.userId());
        } catch (RuntimeException e) {
            retryLater(due, e);
        }
    }

    private void done(Due due, Map<String, Long> erased) {
        jdbc.sql("""
                        UPDATE account_erasure_services SET status = 'done', done_at = now(), claimed_until = NULL,
                               last_error = NULL, erased = CAST(:erased AS jsonb)
                        WHERE erasure_id = :id AND service = :s
                        """)
                .param("erased", JSON.writeValueAsString(erased))
                .param("id", due.erasureId())
                .param("s", due.service())
                .update();
    }

    private void retryLater(Due due, Exception e) {
        long seconds = Math.min(settings.maxRetryDelay().toSeconds(), 1L << Math.min(due.attempts() - 1, 16));
        String error = String.valueOf(e.getMessage());
        log.warn(
                "erasure {}: {} did not confirm (attempt {}), again in {} s: {}",
                due.erasureId(),
                due.service(),
                due.attempts(),
                seconds,
                error);
        jdbc.sql("""
                        UPDATE account_erasure_services SET claimed_until = NULL, last_error = :error,
                               next_attempt_at = now() + CAST(:delay AS interval)
                        WHERE erasure_id = :id AND service = :s
                        """)
                .param("error", error.length() > 500 ? error.substring(0, 500) : error)
                .param("delay", seconds + " seconds")
                .param("id", due.erasureId())
                .param("s", due.service())
                .update();
    }

    private static @Nullable Instant instant(@Nullable Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
