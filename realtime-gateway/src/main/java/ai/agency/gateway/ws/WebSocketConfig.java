package ai.agency.gateway.ws;

import ai.agency.gateway.GatewayProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

/**
 * {@code /ws}: a raw WebSocket endpoint (no STOMP, no SockJS). The container's per-connection buffers are small;
 * messages larger than them come in parts, which the handler assembles up to {@code max-frame-bytes} (a longer
 * message is dropped part by part and answered with an {@code error} frame).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class WebSocketConfig implements WebSocketConfigurer {

    static final int TEXT_BUFFER_CHARS = 8192;

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
                .setHandshakeHandler(new HandshakeRefusals.ProblemHandshakeHandler())
                .addInterceptors(
                        new HandshakeRefusals.ProblemOriginInterceptor(
                                properties.realtime().allowedOrigins()),
                        auth)
                // Spring adds its own origin check too: the same origins, so it never refuses what ours let through
                .setAllowedOriginPatterns(properties.realtime().allowedOrigins().toArray(String[]::new));
    }

    @Bean
    ServletServerContainerFactoryBean webSocketContainer(GatewayProperties properties) {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        // Tomcat allocates these buffers for every connection (a text buffer of N chars is 2N bytes): kept small, with
        // larger messages delivered in parts and assembled up to max-frame-bytes by the handler
        container.setMaxTextMessageBufferSize(TEXT_BUFFER_CHARS);
        container.setMaxBinaryMessageBufferSize(1024); // the protocol has no binary frames
        container.setMaxSessionIdleTimeout(
                properties.realtime().heartbeatInterval().multipliedBy(4).toMillis());
        return container;
    }
}
