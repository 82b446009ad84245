package ai.agency.auth.flags;

import ai.agency.common.error.AgencyException;
import ai.agency.common.flags.FlagRule;
import ai.agency.common.flags.FlagsProperties;
import ai.agency.common.usage.UsageProperties;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Every flag, for the services' flag stores (common-lib {@code HttpFlagStore}). Internal: the gateway does not route
 * {@code /internal/**}, and it answers only a caller that presents the services' shared secret
 * ({@code AGENCY_USAGE_INGEST_SECRET}, header {@code Agency-Usage-Secret}), as usage ingest does.
 */
@RestController
class FlagFeedController {

    record Feed(List<FlagRule> flags) {}

    private final FeatureFlags flags;
    private final byte[] secret;

    FlagFeedController(FeatureFlags flags, @Value("${agency.usage.ingest-secret:}") String secret) {
        this.flags = flags;
        this.secret = UsageProperties.requireIngestSecret(secret).getBytes(StandardCharsets.UTF_8);
    }

    @GetMapping(FlagsProperties.PATH)
    Feed all(@RequestHeader(name = UsageProperties.SECRET_HEADER, required = false) @Nullable String presented) {
        if (presented == null
                || !MessageDigest.isEqual(secret, presented.strip().getBytes(StandardCharsets.UTF_8))) {
            throw AgencyException.unauthenticated("The flags need the services' " + UsageProperties.SECRET_HEADER);
        }
        return new Feed(flags.all().stream().map(FeatureFlags.StoredFlag::rule).toList());
    }
}
