package ai.agency.common.client;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.web.client.RestClient;

/** Provides {@link ServiceClients}, using Resilience4j's registries (so its metrics are published) when present. */
@AutoConfiguration(
        afterName = {
            "io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration",
            "io.github.resilience4j.springboot.bulkhead.autoconfigure.BulkheadAutoConfiguration",
            "io.github.resilience4j.springboot.retry.autoconfigure.RetryAutoConfiguration",
            "org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration"
        })
public class ServiceClientsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ServiceClients serviceClients(
            ObjectProvider<RestClient.Builder> builder,
            Environment environment,
            ObjectProvider<CircuitBreakerRegistry> circuitBreakers,
            ObjectProvider<BulkheadRegistry> bulkheads,
            ObjectProvider<RetryRegistry> retries) {
        return new ServiceClients(
                builder.getIfAvailable(RestClient::builder),
                environment,
                circuitBreakers.getIfAvailable(CircuitBreakerRegistry::ofDefaults),
                bulkheads.getIfAvailable(BulkheadRegistry::ofDefaults),
                retries.getIfAvailable(RetryRegistry::ofDefaults));
    }
}
