package ai.agency.auth.usage;

import ai.agency.common.error.AgencyException;
import ai.agency.common.usage.UsageEvent;
import ai.agency.common.usage.UsageProperties;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Where the services' usage relays deliver ({@code POST /internal/usage/events}). Internal: the gateway does not
 * route {@code /internal/**}, and a batch without the platform's {@code agency.usage.ingest-secret} (compared in
 * constant time) is refused with 401, so that nothing else on the services' network can post usage for a user and
 * exhaust their quotas. auth-service does not start without that secret. Each event id is counted once, so a batch
 * sent again is harmless.
 */
@RestController
class UsageIngestController {

    record EventBody(
            @NotNull UUID id,
            @NotNull UUID userId,
            @NotNull Instant at,
            @NotNull @Size(max = 32) String kind,
            @NotNull @Size(max = 300) String subject,
            @PositiveOrZero long count,
            @PositiveOrZero long tokensIn,
            @PositiveOrZero long tokensOut,
            @PositiveOrZero long bytes) {}

    record Batch(@NotNull @Size(max = 1000) List<@NotNull @Valid EventBody> events) {}

    private final UsageService usage;
    private final byte[] secret;

    UsageIngestController(UsageService usage, @Value("${agency.usage.ingest-secret:}") String secret) {
        this.usage = usage;
        this.secret = UsageProperties.requireIngestSecret(secret).getBytes(StandardCharsets.UTF_8);
    }

    @PostMapping(UsageProperties.INGEST_PATH)
    Map<String, Integer> ingest(
            @RequestHeader(name = UsageProperties.SECRET_HEADER, required = false) @Nullable String presented,
            @Valid @RequestBody Batch batch) {
        if (presented == null
                || !MessageDigest.isEqual(secret, presented.strip().getBytes(StandardCharsets.UTF_8))) {
            throw AgencyException.unauthenticated("Usage events need the platform's " + UsageProperties.SECRET_HEADER);
        }
        List<UsageEvent> events = batch.events().stream()
                .map(e -> {
                    if (!UsageEvent.KINDS.contains(e.kind())) {
                        throw AgencyException.invalidField("events.kind", "unknown kind '" + e.kind() + "'");
                    }
                    return new UsageEvent(
                            e.id(),
                            e.userId(),
                            e.at(),
                            e.kind(),
                            e.subject(),
                            e.count(),
                            e.tokensIn(),
                            e.tokensOut(),
                            e.bytes());
                })
                .toList();
        int counted = events.isEmpty() ? 0 : usage.ingest(events);
        return Map.of("received", events.size(), "counted", counted);
    }
}
