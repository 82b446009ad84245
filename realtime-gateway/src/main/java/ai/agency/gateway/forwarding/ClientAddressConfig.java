package ai.agency.gateway.forwarding;

import ai.agency.gateway.GatewayProperties;
import org.apache.catalina.valves.RemoteIpValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Who the client is. Tomcat's {@link RemoteIpValve} makes the request's remote address the client's: the address in
 * {@code X-Forwarded-For} when the TCP peer is one of {@code agency.gateway.trusted-proxies} (an Ingress), else the
 * peer itself, so a client that talks to the gateway directly cannot claim another address. Everything downstream of
 * the valve uses that address: the anonymous rate limits ({@code RateLimitFilter}), and Spring Cloud Gateway, which
 * sends it to the services as {@code X-Forwarded-For}, replacing what the client sent, and drops a client's
 * {@code Forwarded} header ({@code spring.cloud.gateway.server.webmvc.*} in {@code application.yml}). The services
 * believe that header only from the gateway ({@code server.tomcat.remoteip.internal-proxies}, common-lib).
 */
@Configuration(proxyBeanMethods = false)
class ClientAddressConfig {

    /**
     * Runs after Spring Boot's own Tomcat customizer (which adds the valve for {@code server.forward-headers-strategy:
     * native}, a common-lib default) and replaces the proxies it believes with the gateway's own setting, so the
     * services' {@code server.tomcat.remoteip.internal-proxies} (the gateway's address) never widens the gateway's.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> clientAddressFromTrustedProxiesOnly(
            GatewayProperties properties) {
        return factory -> {
            RemoteIpValve valve = factory.getEngineValves().stream()
                    .filter(RemoteIpValve.class::isInstance)
                    .map(RemoteIpValve.class::cast)
                    .findFirst()
                    .orElseGet(() -> {
                        RemoteIpValve added = new RemoteIpValve();
                        factory.addEngineValves(added);
                        return added;
                    });
            valve.setInternalProxies(properties.trustedProxies().strip());
            valve.setTrustedProxies(null);
        };
    }
}
