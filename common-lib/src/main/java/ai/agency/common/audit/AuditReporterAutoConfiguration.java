package ai.agency.common.audit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.net.URI;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Reports every service's authorization denials to auth-service's audit log: the
 * {@link AuthorizationDenialReporter} that the security handlers call, and, unless the service has a listener of its
 * own (auth-service does) or {@code agency.audit.reporter.enabled=false}, the asynchronous {@link HttpAuditReporter}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(AuditReporterProperties.class)
public class AuditReporterAutoConfiguration {

    static final String INGEST_PATH = "/api/v1/audit/events";

    @Bean
    @ConditionalOnMissingBean
    AuthorizationDenialReporter authorizationDenialReporter(
            Environment environment, ObjectProvider<AuthorizationDenialListener> listeners) {
        return new AuthorizationDenialReporter(
                environment.getProperty("spring.application.name", "unknown-service"), listeners);
    }

    @Bean
    @ConditionalOnMissingBean(AuthorizationDenialListener.class)
    @ConditionalOnProperty(name = "agency.audit.reporter.enabled", havingValue = "true", matchIfMissing = true)
    HttpAuditReporter httpAuditReporter(
            AuditReporterProperties properties, Environment environment, ObjectProvider<MeterRegistry> meters) {
        return new HttpAuditReporter(
                endpoint(properties, environment), properties, meters.getIfAvailable(() -> Metrics.globalRegistry));
    }

    /** The explicit URL, else auth-service's client base URL, else the origin of the JWKS URI, plus the path. */
    static URI endpoint(AuditReporterProperties properties, Environment environment) {
        if (!properties.url().isBlank()) {
            return URI.create(properties.url().trim());
        }
        String base = environment.getProperty("agency.clients.auth.base-url", "");
        if (base.isBlank()) {
            URI jwks = URI.create(
                    environment.getProperty("agency.security.jwks-uri", "http://localhost:8081/.well-known/jwks.json"));
            base = jwks.getScheme() + "://" + jwks.getRawAuthority();
        }
        return URI.create(base.replaceAll("/+$", "") + INGEST_PATH);
    }
}
