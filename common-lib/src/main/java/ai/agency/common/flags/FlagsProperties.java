package ai.agency.common.flags;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code agency.flags.*}: where a service reads its feature flags.
 *
 * @param source {@code http}: auth-service's {@code GET /internal/flags}, read every {@code refresh-interval};
 *     {@code none}: no flags, every evaluation answers the caller's default
 * @param url auth-service's base URL; empty means {@code agency.clients.auth.base-url} if set, else the scheme, host
 *     and port of {@code agency.security.jwks-uri}
 * @param refreshInterval how often the flags are read again: a change takes effect within about this long plus
 *     one request
 * @param secret the services' shared secret ({@code AGENCY_USAGE_INGEST_SECRET} by default), sent as
 *     {@code Agency-Usage-Secret}; auth-service answers the flags only with it
 * @param timeout connect and read timeout of one read
 */
@ConfigurationProperties("agency.flags")
public record FlagsProperties(
        @DefaultValue("none") String source,
        @DefaultValue("") String url,
        @DefaultValue("500ms") Duration refreshInterval,
        @DefaultValue("") String secret,
        @DefaultValue("2s") Duration timeout) {

    public static final String PATH = "/internal/flags";

    public FlagsProperties {
        if (!source.equals("none") && !source.equals("http")) {
            throw new IllegalArgumentException("agency.flags.source must be none or http, was " + source);
        }
        if (refreshInterval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("agency.flags.refresh-interval must be at least 100ms");
        }
        if (source.equals("http") && secret.isBlank()) {
            throw new IllegalArgumentException("agency.flags.secret (default: AGENCY_USAGE_INGEST_SECRET) is not set: "
                    + "auth-service answers GET /internal/flags only with the services' shared secret");
        }
    }
}
