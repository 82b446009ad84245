package ai.agency.gateway.session;

import ai.agency.common.security.ProtectedPaths;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The gateway protects only the prefixes it serves or routes: the session endpoints need a token. */
@Configuration(proxyBeanMethods = false)
class SessionSecurityConfig {

    @Bean
    ProtectedPaths sessionPaths() {
        return () -> List.of("/api/v1/sessions", "/api/v1/sessions/**");
    }
}
