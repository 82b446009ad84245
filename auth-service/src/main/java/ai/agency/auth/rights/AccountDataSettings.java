package ai.agency.auth.rights;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code agency.auth.account-data.*}: the services that hold users' data and how the export and erasure jobs reach
 * them.
 *
 * @param services each service's base URL by name (its {@code /internal/account-data} endpoints); auth-service's
 *     own data is handled in-process
 * @param pollInterval how often the jobs look for work (a new request also wakes them at once)
 * @param maxRetryDelay the longest wait between two attempts at a service that did not confirm
 * @param requestTimeout the longest wait for one service call (an export of one kind streams within it)
 * @param exportAttempts attempts at an export before it is {@code failed}
 */
@ConfigurationProperties("agency.auth.account-data")
public record AccountDataSettings(
        @DefaultValue Map<String, URI> services,
        @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("1m") Duration maxRetryDelay,
        @DefaultValue("10m") Duration requestTimeout,
        @DefaultValue("3") int exportAttempts) {}
