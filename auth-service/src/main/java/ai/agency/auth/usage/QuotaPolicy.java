package ai.agency.auth.usage;

import ai.agency.auth.AuthProperties;
import ai.agency.auth.account.UserAccount;
import ai.agency.auth.account.UserRepository;
import ai.agency.auth.audit.AuditLog;
import ai.agency.common.error.AgencyException;
import ai.agency.common.usage.Quotas;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A user's quotas: the limit (an admin's override for the user, else the most generous of the user's roles) and what
 * is used of it now, as the ledger counts it.
 */
@Service
class QuotaPolicy {

    /** A quota as clients read it; {@code limit} null: unlimited; {@code resetsAt} null: it never resets. */
    record QuotaView(
            String name,
            @Nullable Long limit,
            long used,
            @Nullable Instant resetsAt) {}

    static final List<String> NAMES =
            List.of(Quotas.TOKENS_PER_DAY, Quotas.MEMORIES_TOTAL, Quotas.TOOL_CALLS_PER_MINUTE);

    private static final Map<String, Function<AuthProperties.RoleQuotas, @Nullable Long>> BY_ROLE = Map.of(
            Quotas.TOKENS_PER_DAY, AuthProperties.RoleQuotas::tokensPerDay,
            Quotas.MEMORIES_TOTAL, AuthProperties.RoleQuotas::memoriesTotal,
            Quotas.TOOL_CALLS_PER_MINUTE, AuthProperties.RoleQuotas::toolCallsPerMinute);

    private final UsageLedger ledger;
    private final QuotaOverrides overrides;
    private final UserRepository users;
    private final AuthProperties properties;
    private final AuditLog audit;
    private final Clock clock;

    QuotaPolicy(
            UsageLedger ledger,
            QuotaOverrides overrides,
            UserRepository users,
            AuthProperties properties,
            AuditLog audit) {
        this.ledger = ledger;
        this.overrides = overrides;
        this.users = users;
        this.properties = properties;
        this.audit = audit;
        this.clock = Clock.systemUTC();
    }

    List<QuotaView> of(UUID userId) {
        List<String> roles = user(userId).roles();
        Map<String, Optional<Long>> set = overrides.of(userId);
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Instant minute = now.truncatedTo(ChronoUnit.MINUTES);
        List<QuotaView> quotas = new ArrayList<>();
        for (String name : NAMES) {
            Optional<Long> override = set.get(name);
            @Nullable Long limit = override != null ? override.orElse(null) : roleLimit(roles, name);
            quotas.add(
                    switch (name) {
                        case Quotas.TOKENS_PER_DAY ->
                            new QuotaView(
                                    name,
                                    limit,
                                    ledger.tokens(userId, today),
                                    today.plusDays(1)
                                            .atStartOfDay(ZoneOffset.UTC)
                                            .toInstant());
                        case Quotas.MEMORIES_TOTAL ->
                            new QuotaView(name, limit, Math.max(0, ledger.memoriesHeld(userId)), null);
                        default ->
                            new QuotaView(
                                    name, limit, ledger.toolCalls(userId, minute), minute.plus(1, ChronoUnit.MINUTES));
                    });
        }
        return quotas;
    }

    /** The account (disabled ones too: their usage stays readable); 404 for an unknown id. */
    UserAccount user(UUID userId) {
        return users.findById(userId).orElseThrow(() -> AgencyException.notFound("user", userId));
    }

    /** The most generous limit among the roles; null (unlimited) when any role has none. */
    private @Nullable Long roleLimit(List<String> roles, String name) {
        long best = -2;
        for (String role : roles) {
            AuthProperties.RoleQuotas limits = properties.quotas().roles().get(role);
            @Nullable
            Long limit = limits == null
                    ? null
                    : java.util.Objects.requireNonNull(BY_ROLE.get(name)).apply(limits);
            if (limit == null || limit < 0) {
                return null;
            }
            best = Math.max(best, limit);
        }
        return best < 0 ? null : best;
    }

    /**
     * Sets the user's limits: a number ≥ 0 is the limit, a negative one means unlimited, null goes back to the
     * role's limit; quotas not named stay as they are.
     */
    @Transactional
    List<QuotaView> set(UUID actorId, UUID userId, Map<String, @Nullable Long> limits) {
        user(userId);
        Map<String, Object> changed = new TreeMap<>();
        limits.forEach((name, limit) -> {
            if (!NAMES.contains(name)) {
                throw AgencyException.invalidField("quotas", "unknown quota '" + name + "'; known: " + NAMES);
            }
            if (limit == null) {
                overrides.remove(userId, name);
                changed.put(name, "role");
            } else {
                overrides.set(userId, name, limit < 0 ? Optional.empty() : Optional.of(limit), actorId);
                changed.put(name, limit < 0 ? "unlimited" : limit);
            }
        });
        audit.record(AuditLog.QUOTAS_CHANGED, userId, actorId, Map.of("quotas", changed));
        return of(userId);
    }
}
