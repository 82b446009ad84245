package ai.agency.common.usage;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code agency.usage.*}: recording usage events and reading quota state.
 *
 * @param record how this service records usage events: {@code none}; {@code outbox}: into its {@code usage_outbox}
 *     table in the work's transaction, relayed from there (memory-, tool- and orchestration-service; their migrations
 *     create the table); {@code queue}: an in-memory queue sent to the owner (multimodal-service, no database)
 * @param ownerUrl the owner's base URL; empty means {@code agency.clients.auth.base-url} if set, else the scheme, host
 *     and port of {@code agency.security.jwks-uri}
 * @param relayInterval how often the relay looks at the outbox when it last found it empty
 * @param batchSize most events in one request to the owner
 * @param connectTimeout time to open a connection to the owner
 * @param requestTimeout time to wait for its answer
 * @param ingestSecret sent as {@code Agency-Usage-Secret} with each batch; the owner, given the same secret, refuses
 *     batches without it. Required (at least {@value #MIN_SECRET_LENGTH} characters) whenever {@code record} is not
 *     {@code none}: without it anyone on the services' network could post usage for any user and exhaust their quotas.
 *     {@code ./platform} generates one into {@code .platform/usage-secret}, {@code ./platform compose-env} into
 *     {@code .env}
 * @param quotaCacheTtl how long a user's quota state read from the owner is reused before it is read again
 */
@ConfigurationProperties("agency.usage")
public record UsageProperties(
        @DefaultValue("none") String record,
        @DefaultValue("") String ownerUrl,
        @DefaultValue("1s") Duration relayInterval,
        @DefaultValue("200") int batchSize,
        @DefaultValue("2s") Duration connectTimeout,
        @DefaultValue("5s") Duration requestTimeout,
        @DefaultValue("") String ingestSecret,
        @DefaultValue("5s") Duration quotaCacheTtl) {

    public static final String SECRET_HEADER = "Agency-Usage-Secret";
    public static final String INGEST_PATH = "/internal/usage/events";
    public static final String QUOTAS_PATH = "/api/v1/usage/quotas";
    /** The shortest ingest secret accepted; {@code openssl rand -base64 32} gives 44 characters. */
    public static final int MIN_SECRET_LENGTH = 16;

    public UsageProperties {
        if (!java.util.Set.of("none", "outbox", "queue").contains(record)) {
            throw new IllegalArgumentException("agency.usage.record must be none, outbox or queue, was " + record);
        }
        if (!record.equals("none")) {
            requireIngestSecret(ingestSecret);
        }
        if (batchSize < 1 || batchSize > 1000) {
            throw new IllegalArgumentException("agency.usage.batch-size must be 1..1000, was " + batchSize);
        }
        if (relayInterval.isNegative() || relayInterval.isZero()) {
            throw new IllegalArgumentException("agency.usage.relay-interval must be positive");
        }
    }

    /**
     * Refuses a missing or short ingest secret, saying how to set one; used by the recording services and by the
     * owner's ingest, so that neither side starts unprotected.
     */
    public static String requireIngestSecret(@Nullable String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("agency.usage.ingest-secret (AGENCY_USAGE_INGEST_SECRET) is not set: "
                    + "the services that record usage and auth-service, which counts it, need the same secret "
                    + "(./platform generates one into .platform/usage-secret, ./platform compose-env into .env; "
                    + "elsewhere: openssl rand -base64 32)");
        }
        if (secret.strip().length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException(
                    "agency.usage.ingest-secret (AGENCY_USAGE_INGEST_SECRET) is too short: at" + " least "
                            + MIN_SECRET_LENGTH + " characters (openssl rand -base64 32)");
        }
        return secret.strip();
    }
}
