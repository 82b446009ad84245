package ai.agency.gateway.ws;

import ai.agency.gateway.GatewayProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

/**
 * {@code /ws}: a raw WebSocket endpoint (no STOMP, no SockJS). The container accepts frames up to four times the
 * protocol's limit so that a too-large frame can be answered with an {@code error} frame; beyond that the container
 * closes with 1009.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class WebSocketConfig implements WebSocketConfigurer {

    private final RealtimeHandler handler;
    private final HandshakeAuth auth;
    private final GatewayProperties properties;

    WebSocketConfig(RealtimeHandler handler, HandshakeAuth auth, GatewayProperties properties) {
        this.handler = handler;
        this.auth = auth;
        this.properties = properties;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(handler, "/ws")
                .addInterceptors(auth)
                .setAllowedOriginPatterns(properties.realtime().allowedOrigins().toArray(String[]::new));
    }

    @Bean
    ServletServerContainerFactoryBean webSocketContainer(GatewayProperties properties) {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        container.setMaxTextMessageBufferSize(properties.realtime().maxFrameBytes() * 4);
        container.setMaxBinaryMessageBufferSize(properties.realtime().maxFrameBytes());
        container.setMaxSessionIdleTimeout(
                properties.realtime().heartbeatInterval().multipliedBy(4).toMillis());
        return container;
    }
}
