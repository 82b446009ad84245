package ai.agency.gateway.apikey;

import ai.agency.common.client.ServiceClients;
import ai.agency.common.security.Revocations;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Registers the {@link ApiKeyExchangeFilter} just before Spring Security's filter chain (order -100), talking to
 * auth-service through {@link ServiceClients} ({@code agency.clients.auth}, whose base URL defaults to the {@code auth}
 * route's) with the exchange's own read timeout.
 */
@Configuration(proxyBeanMethods = false)
class ApiKeyFilterConfig {

    /** Spring Security's filter chain is registered at -100; this filter must run first. */
    static final int ORDER = -110;

    @Bean
    FilterRegistrationBean<ApiKeyExchangeFilter> apiKeyExchangeFilter(
            ServiceClients clients,
            @Value("${agency.gateway.api-key-cache-ttl:60s}") Duration cacheTtl,
            @Value("${agency.gateway.api-key-exchange-timeout:3s}") Duration timeout,
            Revocations revocations) {
        FilterRegistrationBean<ApiKeyExchangeFilter> registration = new FilterRegistrationBean<>(
                new ApiKeyExchangeFilter(clients.restClient("auth", timeout), cacheTtl, revocations));
        registration.setOrder(ORDER);
        registration.addUrlPatterns("/*");
        return registration;
    }
}
