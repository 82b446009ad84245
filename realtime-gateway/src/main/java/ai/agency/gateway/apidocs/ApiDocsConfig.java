package ai.agency.gateway.apidocs;

import ai.agency.gateway.GatewayProperties;
import java.util.LinkedHashSet;
import java.util.Set;
import org.springdoc.core.properties.AbstractSwaggerUiConfigProperties.SwaggerUrl;
import org.springdoc.core.properties.SwaggerUiConfigProperties;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Swagger UI at the gateway ({@code /swagger-ui.html}) lists the gateway's own API and every route's service, whose
 * {@code /v3/api-docs} is fetched through the gateway at {@code /api-docs/<route>} ({@link ApiDocsController}).
 * Off with {@code springdoc.swagger-ui.enabled=false} (the {@code prod} profile).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "springdoc.swagger-ui.enabled", matchIfMissing = true)
class ApiDocsConfig {

    static final String GATEWAY = "realtime-gateway";

    @Bean
    SmartInitializingSingleton swaggerUiListsEveryService(
            SwaggerUiConfigProperties swaggerUi, GatewayProperties properties) {
        return () -> {
            Set<SwaggerUrl> urls = new LinkedHashSet<>();
            urls.add(new SwaggerUrl(GATEWAY, "/v3/api-docs", GATEWAY));
            properties.routes().keySet().stream()
                    .sorted()
                    .forEach(route -> urls.add(new SwaggerUrl(route, "/api-docs/" + route, route)));
            swaggerUi.setUrls(urls);
            swaggerUi.setUrlsPrimaryName(GATEWAY);
        };
    }
}
