package ai.agency.auth.usage;

import ai.agency.common.security.Caller;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Usage per day and quota state: the caller's own, and any user's for admins, who also set per-user limits. */
@RestController
@Validated
class UsageController {

    record QuotaState(List<QuotaPolicy.QuotaView> quotas) {}

    record UserQuotas(UUID userId, List<QuotaPolicy.QuotaView> quotas) {}

    /** {@code {"quotas": {"tokens_per_day": 50000, "memories_total": -1, "tool_calls_per_minute": null}}}. */
    record QuotasRequest(@NotNull @Size(min = 1, max = 10) Map<String, @Nullable Long> quotas) {}

    private final UsageService usage;
    private final QuotaPolicy quotas;

    UsageController(UsageService usage, QuotaPolicy quotas) {
        this.usage = usage;
        this.quotas = quotas;
    }

    @GetMapping("/api/v1/usage")
    UsageReport mine(
            Caller caller,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) @Nullable LocalDate from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) @Nullable LocalDate to) {
        return usage.report(caller.id(), from, to);
    }

    /** What the enforcing services read (with the caller's token) before work that counts against a quota. */
    @GetMapping("/api/v1/usage/quotas")
    QuotaState myQuotas(Caller caller) {
        return new QuotaState(quotas.of(caller.id()));
    }

    @GetMapping("/api/v1/admin/usage")
    @PreAuthorize("hasRole('admin')")
    UsageReport ofUser(
            @RequestParam UUID userId,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) @Nullable LocalDate from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) @Nullable LocalDate to) {
        return usage.report(userId, from, to);
    }

    @PutMapping("/api/v1/admin/users/{id}/quotas")
    @PreAuthorize("hasRole('admin')")
    UserQuotas setQuotas(
            Caller caller, @PathVariable UUID id, @RequestBody @jakarta.validation.Valid QuotasRequest request) {
        return new UserQuotas(id, quotas.set(caller.id(), id, request.quotas()));
    }
}
