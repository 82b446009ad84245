package ai.agency.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.security.Revocations;
import ai.agency.gateway.RealtimeTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** On the WebSocket, scopes narrow what frames may do, and a revoked credential's socket is closed. */
class ScopeAndRevocationTest extends RealtimeTestSupport {

    @Autowired
    Revocations revocations;

    @Test
    void aReadOnlyTokenCannotChatCallToolsOrShareOverTheWebSocket() {
        String readOnly = JWTS.withScopes(UUID.randomUUID(), List.of("admin", "user"), List.of("read"));
        Client client = connect(readOnly);
        client.next("ready");

        for (Map<String, Object> frame : List.<Map<String, Object>>of(
                Map.of("type", "chat", "id", "c1", "content", "remember that I like tea"),
                Map.of("type", "tool_call", "id", "t1", "toolName", "calculator", "parameters", Map.of()),
                Map.of(
                        "type",
                        "session.share",
                        "id",
                        "s1",
                        "sessionId",
                        UUID.randomUUID().toString(),
                        "context",
                        Map.of()))) {
            client.send(frame);
            JsonNode error = client.next("error");
            assertThat(error.path("errorType").asString()).as(frame.toString()).isEqualTo("authorization");
            assertThat(error.path("requestId").asString()).isEqualTo(frame.get("id"));
        }
        client.send(Map.of("type", "ping", "id", "p1"));
        assertThat(client.next("pong").path("requestId").asString()).isEqualTo("p1");
    }

    @Test
    void theSocketsOfARevokedUserAreClosedWith4401AndOthersStayOpen() {
        UUID victim = UUID.randomUUID();
        Client revoked = connect(JWTS.user(victim));
        revoked.next("ready");
        Client bystander = connect(JWTS.user(UUID.randomUUID()));
        bystander.next("ready");

        revocations.apply(
                List.of(new Revocations.Revocation(revocations.lastId() + 1, victim, 1, null, "user_disabled")));

        await().atMost(Duration.ofSeconds(2)).until(() -> revoked.closeCode != null);
        assertThat(revoked.closeCode).isEqualTo(4401);
        bystander.send(Map.of("type", "ping", "id", "p"));
        assertThat(bystander.next("pong").path("requestId").asString()).isEqualTo("p");
        assertThat(bystander.closeCode).isNull();
    }

    @Test
    void theSocketOfADeletedKeyIsClosedButTheOwnersOtherSocketsStay() {
        UUID owner = UUID.randomUUID();
        UUID key = UUID.randomUUID();
        Client viaKey = connect(JWTS.token(
                owner,
                List.of("viewer"),
                List.of("read"),
                Duration.ofMinutes(5),
                Map.of("api_key_id", key.toString())));
        viaKey.next("ready");
        Client own = connect(JWTS.user(owner));
        own.next("ready");

        revocations.apply(
                List.of(new Revocations.Revocation(revocations.lastId() + 1, owner, 0, key, "api_key_revoked")));

        await().atMost(Duration.ofSeconds(2)).until(() -> viaKey.closeCode != null);
        assertThat(viaKey.closeCode).isEqualTo(4401);
        own.send(Map.of("type", "ping", "id", "p"));
        assertThat(own.next("pong").path("requestId").asString()).isEqualTo("p");
    }
}
