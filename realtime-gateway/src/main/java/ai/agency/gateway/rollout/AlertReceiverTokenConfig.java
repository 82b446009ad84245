package ai.agency.gateway.rollout;

import ai.agency.common.security.HeaderChecks;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;

/**
 * The platform's bearer-token resolution, except on the Alertmanager receiver's path: there the bearer token is the
 * receiver's shared secret, which {@link CanaryAlertReceiver} checks, not a platform token for Spring Security.
 */
@Configuration(proxyBeanMethods = false)
class AlertReceiverTokenConfig {

    @Bean
    BearerTokenResolver bearerTokenResolver() {
        BearerTokenResolver platform = HeaderChecks.bearerTokenResolver();
        return request -> CanaryAlertReceiver.PATH.equals(request.getRequestURI()) ? null : platform.resolve(request);
    }
}
