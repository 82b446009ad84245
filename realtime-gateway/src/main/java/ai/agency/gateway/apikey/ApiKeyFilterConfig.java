package ai.agency.gateway.apikey;

import ai.agency.common.security.Revocations;
import ai.agency.gateway.GatewayProperties;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Registers the {@link ApiKeyExchangeFilter} just before Spring Security's filter chain (order -100), talking to the
 * {@code auth} route's service.
 */
@Configuration(proxyBeanMethods = false)
class ApiKeyFilterConfig {

    /** Spring Security's filter chain is registered at -100; this filter must run first. */
    static final int ORDER = -110;

    @Bean
    FilterRegistrationBean<ApiKeyExchangeFilter> apiKeyExchangeFilter(
            GatewayProperties properties,
            @Value("${agency.gateway.api-key-cache-ttl:60s}") Duration cacheTtl,
            @Value("${agency.gateway.api-key-exchange-timeout:3s}") Duration timeout,
            Revocations revocations) {
        GatewayProperties.Route auth = properties.routes().get("auth");
        if (auth == null) {
            throw new IllegalStateException("agency.gateway.routes.auth is needed to exchange API keys");
        }
        FilterRegistrationBean<ApiKeyExchangeFilter> registration =
                new FilterRegistrationBean<>(new ApiKeyExchangeFilter(auth.uri(), cacheTtl, timeout, revocations));
        registration.setOrder(ORDER);
        registration.addUrlPatterns("/*");
        return registration;
    }
}
