package ai.agency.auth.flags;

import ai.agency.common.error.AgencyException;
import ai.agency.common.flags.FlagRule;
import ai.agency.common.security.Caller;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Admin-only: the platform's feature flags. {@code PUT} creates or replaces one; every service sees the change within
 * about a second ({@code agency.flags.refresh-interval}). Changes are in the audit log ({@code flag.changed},
 * {@code flag.deleted}).
 */
@RestController
@PreAuthorize("hasRole('admin')")
class FlagAdminController {

    static final String PATH = "/api/v1/admin/flags";

    record FlagRequest(
            @NotNull Boolean enabled,
            @Min(0) @Max(100) @Nullable Integer percentage,
            @Size(max = FlagRule.MAX_ROLES) @Nullable List<String> roles,
            @Size(max = FlagRule.MAX_DESCRIPTION) @Nullable String description) {}

    record FlagView(
            String key,
            boolean enabled,
            int percentage,
            List<String> roles,
            String description,
            Instant updatedAt,
            @Nullable UUID updatedBy) {
        static FlagView of(FeatureFlags.StoredFlag flag) {
            FlagRule r = flag.rule();
            return new FlagView(
                    r.key(),
                    r.enabled(),
                    r.percentage(),
                    r.roles(),
                    r.description(),
                    flag.updatedAt(),
                    flag.updatedBy());
        }
    }

    private final FeatureFlags flags;

    FlagAdminController(FeatureFlags flags) {
        this.flags = flags;
    }

    @GetMapping(PATH)
    Map<String, List<FlagView>> list() {
        return Map.of("items", flags.all().stream().map(FlagView::of).toList());
    }

    @GetMapping(PATH + "/{key}")
    FlagView get(@PathVariable String key) {
        return flags.find(key).map(FlagView::of).orElseThrow(() -> AgencyException.notFound("flag", key));
    }

    @PutMapping(PATH + "/{key}")
    FlagView put(Caller caller, @PathVariable String key, @Valid @RequestBody FlagRequest request) {
        List<String> roles = request.roles() == null ? List.of() : request.roles();
        int percentage = request.percentage() == null ? 100 : request.percentage();
        String description = request.description() == null ? "" : request.description();
        if (!FlagRule.KEY.matcher(key).matches()) {
            throw AgencyException.invalidField("key", "must match " + FlagRule.KEY.pattern());
        }
        for (String role : roles) {
            if (role == null || !FlagRule.ROLE.matcher(role).matches()) {
                throw AgencyException.invalidField("roles", "each role must match " + FlagRule.ROLE.pattern());
            }
        }
        FlagRule rule = new FlagRule(key, request.enabled(), percentage, roles, description);
        return FlagView.of(flags.put(rule, caller.id()));
    }

    @DeleteMapping(PATH + "/{key}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(Caller caller, @PathVariable String key) {
        if (!flags.delete(key, caller.id())) {
            throw AgencyException.notFound("flag", key);
        }
    }
}
