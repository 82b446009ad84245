package ai.agency.gateway.ws;

import ai.agency.common.security.Revocations;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import java.text.ParseException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;

/**
 * Closes the open WebSockets of a revoked credential on this replica, with code 4401, as soon as the revocation
 * feed reports it (a deleted API key, or a user whose tokens were revoked: disabled, roles changed, password
 * changed or reset, logged out everywhere). Every replica reads the feed, so every replica closes its own.
 */
@Component
class RevokedConnections {

    static final CloseStatus REVOKED = new CloseStatus(4401, "credential revoked");
    private static final Logger log = LoggerFactory.getLogger(RevokedConnections.class);

    private final ConnectionRegistry registry;
    private final Revocations revocations;

    RevokedConnections(ConnectionRegistry registry, Revocations revocations) {
        this.registry = registry;
        this.revocations = revocations;
        revocations.onRevocation(this::closeRevoked);
    }

    void closeRevoked(Revocations.Revocation revocation) {
        for (Connection connection : registry.all()) {
            if (!connection.isOpen() || !connection.userId().equals(revocation.userId())) {
                continue;
            }
            if (isRevoked(connection.token())) {
                log.info(
                        "Closing WebSocket {} of user {}: {}",
                        connection.id(),
                        connection.userId(),
                        revocation.reason());
                connection.close(REVOKED);
            }
        }
    }

    private boolean isRevoked(String token) {
        try {
            JWTClaimsSet claims = JWTParser.parse(token).getJWTClaimsSet(); // verified at the handshake
            Object ver = claims.getClaim("ver");
            String key = claims.getStringClaim("api_key_id");
            return revocations.isRevoked(
                    UUID.fromString(claims.getSubject()),
                    ver instanceof Number n ? n.longValue() : 0,
                    key == null ? null : UUID.fromString(key));
        } catch (ParseException | IllegalArgumentException e) {
            return true;
        }
    }
}
