package ai.agency.common.usage;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.net.URI;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Usage recording, by {@code agency.usage.record}: {@code outbox} (a service with a database: {@link UsageRecorder}
 * into its {@code usage_outbox}, {@link UsageRelay} to the owner, and {@link Quotas}) or {@code queue} (a service
 * without one: {@link UsageQueue}). Off by default.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration"
        })
@EnableConfigurationProperties(UsageProperties.class)
public class UsageAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "agency.usage.record", havingValue = "outbox")
    static class Outbox {

        @Bean
        @ConditionalOnMissingBean
        UsageRecorder usageRecorder(DataSource dataSource) {
            return new UsageRecorder(dataSource);
        }

        @Bean
        @ConditionalOnMissingBean
        UsageRelay usageRelay(
                DataSource dataSource,
                UsageProperties properties,
                Environment environment,
                ObjectProvider<MeterRegistry> meters) {
            return new UsageRelay(
                    dataSource,
                    ownerBaseUrl(properties, environment),
                    properties,
                    meters.getIfAvailable(() -> Metrics.globalRegistry));
        }

        /** The outbox's rows as account data: exported and erased with the user's other data. */
        @Bean
        @ConditionalOnMissingBean
        UsageOutboxAccountData usageOutboxAccountData(DataSource dataSource) {
            return new UsageOutboxAccountData(dataSource);
        }

        @Bean
        @ConditionalOnMissingBean
        Quotas quotas(UsageProperties properties, Environment environment) {
            return new Quotas(ownerBaseUrl(properties, environment), properties);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "agency.usage.record", havingValue = "queue")
    static class Queue {

        @Bean
        @ConditionalOnMissingBean
        UsageQueue usageQueue(
                UsageProperties properties, Environment environment, ObjectProvider<MeterRegistry> meters) {
            return new UsageQueue(
                    ownerBaseUrl(properties, environment),
                    properties,
                    meters.getIfAvailable(() -> Metrics.globalRegistry));
        }
    }

    /** The explicit owner URL, else auth-service's client base URL, else the origin of the JWKS URI. */
    static URI ownerBaseUrl(UsageProperties properties, Environment environment) {
        if (!properties.ownerUrl().isBlank()) {
            return URI.create(properties.ownerUrl().trim());
        }
        String base = environment.getProperty("agency.clients.auth.base-url", "");
        if (base.isBlank()) {
            URI jwks = URI.create(
                    environment.getProperty("agency.security.jwks-uri", "http://localhost:8081/.well-known/jwks.json"));
            base = jwks.getScheme() + "://" + jwks.getRawAuthority();
        }
        return URI.create(base.trim());
    }
}
