package ai.agency.gateway.ws;

import ai.agency.common.security.Caller;
import ai.agency.gateway.GatewayProperties;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.SubProtocolCapable;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code /ws} protocol of api.md, as the container sees it: a {@link Connection} per socket (greeted with {@code
 * ready}), its messages assembled from their parts and handed to {@link FrameDispatcher}, its pongs, its close (its
 * running streams then wait for a resume). The frame types are handled by {@code ChatFrames}, {@code ToolCallFrames},
 * {@code CancelFrames}, {@code ResumeFrames}, {@code SessionShareFrames} and {@code RunSubscriptions}; heartbeat,
 * purge and graceful shutdown by {@link RealtimeLifecycle}.
 */
@Component
public class RealtimeHandler extends TextWebSocketHandler implements SubProtocolCapable {

    static final String PROTOCOL = "agency.v1";
    static final String CONNECTION = "agency.connection";

    private final ConnectionRegistry registry;
    private final ReplayLog replayLog;
    private final JsonMapper json;
    private final GatewayProperties.Realtime settings;
    private final WsMetrics metrics;
    private final FrameDispatcher dispatcher;
    private final RealtimeLifecycle lifecycle;

    RealtimeHandler(
            ConnectionRegistry registry,
            ReplayLog replayLog,
            JsonMapper json,
            GatewayProperties properties,
            WsMetrics metrics,
            FrameDispatcher dispatcher,
            RealtimeLifecycle lifecycle) {
        this.registry = registry;
        this.replayLog = replayLog;
        this.json = json;
        this.settings = properties.realtime();
        this.metrics = metrics;
        this.dispatcher = dispatcher;
        this.lifecycle = lifecycle;
    }

    /** Large messages arrive in parts, so the container needs no per-connection buffer of the frame limit's size. */
    @Override
    public boolean supportsPartialMessages() {
        return true;
    }

    @Override
    public List<String> getSubProtocols() {
        return List.of(PROTOCOL);
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        // HandshakeAuth admits no connection without one
        Caller caller = (Caller) Objects.requireNonNull(session.getAttributes().get(HandshakeAuth.CALLER));
        if (!lifecycle.isRunning()) {
            close(session, CloseStatus.GOING_AWAY);
            return;
        }
        Connection connection = new Connection(
                caller.id(),
                caller.token(),
                session,
                (int) settings.sendTimeLimit().toMillis(),
                settings.sendBufferBytes(),
                replayLog,
                json,
                metrics);
        session.getAttributes().put(CONNECTION, connection);
        registry.add(connection);
        connection.send(
                "ready",
                null,
                json.createObjectNode()
                        .put("connectionId", connection.id().toString())
                        .put("userId", caller.id().toString())
                        .put("heartbeatSeconds", settings.heartbeatInterval().toSeconds()));
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        Connection connection = (Connection) session.getAttributes().get(CONNECTION);
        if (connection == null) {
            return;
        }
        connection.markClosed();
        if (connection.running().isEmpty()) {
            registry.remove(connection);
        }
        // else: its streams keep running (and logging) for resume-grace, waiting for a resume
    }

    @Override
    protected void handlePongMessage(WebSocketSession session, PongMessage message) {
        Connection connection = (Connection) session.getAttributes().get(CONNECTION);
        if (connection != null) {
            connection.pongReceived();
        }
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        Connection connection = (Connection) session.getAttributes().get(CONNECTION);
        if (connection == null) {
            return;
        }
        connection.ponged(); // any traffic shows the client is alive
        // the container hands over large messages in parts (its buffer is small, see WebSocketConfig)
        String payload = connection.assemble(message.getPayload(), message.isLast(), settings.maxFrameBytes());
        if (payload == null) {
            return; // more parts to come
        }
        Caller caller = session.getAttributes().get(HandshakeAuth.CALLER) instanceof Caller c ? c : null;
        dispatcher.dispatch(connection, caller, payload);
    }

    private static void close(WebSocketSession session, CloseStatus status) {
        try {
            session.close(status);
        } catch (IOException e) {
            // already gone
        }
    }
}
