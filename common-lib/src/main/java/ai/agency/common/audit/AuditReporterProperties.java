package ai.agency.common.audit;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code agency.audit.reporter.*}: how a service sends its authorization denials to auth-service's audit log.
 *
 * @param enabled send them at all (default true)
 * @param url the ingest endpoint; empty means {@code <auth base>/api/v1/audit/events}, where the base is
 *     {@code agency.clients.auth.base-url} if set, else the scheme, host and port of {@code agency.security.jwks-uri}
 * @param queueCapacity events waiting to be sent; when full, new ones are dropped and counted
 * @param batchSize most events in one request
 * @param connectTimeout time to open a connection to auth-service
 * @param requestTimeout time to wait for its answer
 */
@ConfigurationProperties("agency.audit.reporter")
public record AuditReporterProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("") String url,
        @DefaultValue("1000") int queueCapacity,
        @DefaultValue("50") int batchSize,
        @DefaultValue("2s") Duration connectTimeout,
        @DefaultValue("5s") Duration requestTimeout) {

    public AuditReporterProperties {
        if (queueCapacity < 1 || batchSize < 1 || batchSize > 100) {
            throw new IllegalArgumentException(
                    "agency.audit.reporter.queue-capacity must be >= 1 and batch-size 1..100");
        }
    }
}
