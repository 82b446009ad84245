package ai.agency.auth.ticket;

import ai.agency.auth.AuthProperties;
import ai.agency.auth.account.AccountService;
import ai.agency.auth.account.UserAccount;
import ai.agency.auth.token.TokenService;
import ai.agency.common.error.AgencyException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Single-use WebSocket tickets ({@code agt_…}, ~60 s, stored as SHA-256). A browser cannot set headers on a WebSocket
 * handshake, so it fetches a ticket with its token and sends the ticket instead; the gateway redeems it here for an
 * access token of the same user.
 */
@Service
public class WsTicketService {

    public static final String PREFIX = "agt_";

    /** A freshly minted ticket. */
    public record Ticket(String ticket, long expiresIn) {}

    private final JdbcClient jdbc;
    private final AccountService accounts;
    private final TokenService tokens;
    private final AuthProperties properties;

    WsTicketService(JdbcClient jdbc, AccountService accounts, TokenService tokens, AuthProperties properties) {
        this.jdbc = jdbc;
        this.accounts = accounts;
        this.tokens = tokens;
        this.properties = properties;
    }

    @Transactional
    public Ticket issue(UUID userId) {
        accounts.get(userId);
        String ticket = TokenService.newSecret(PREFIX);
        jdbc.sql("INSERT INTO ws_tickets (ticket_hash, user_id, expires_at) VALUES (:h, :u, :e)")
                .param("h", TokenService.hash(ticket))
                .param("u", userId)
                .param("e", Timestamp.from(Instant.now().plus(properties.wsTicketTtl())))
                .update();
        return new Ticket(ticket, properties.wsTicketTtl().toSeconds());
    }

    /** Spends a ticket and answers an access token of its user; a used, expired or unknown ticket is a 401. */
    @Transactional
    public TokenService.AccessToken redeem(String ticket) {
        if (ticket == null || !ticket.startsWith(PREFIX) || ticket.length() > 100) {
            throw AgencyException.unauthenticated("The ticket is invalid, expired or already used");
        }
        UUID userId = jdbc.sql("UPDATE ws_tickets SET used_at = now() WHERE ticket_hash = :h AND used_at IS NULL "
                        + "AND expires_at > now() RETURNING user_id")
                .param("h", TokenService.hash(ticket))
                .query(UUID.class)
                .optional()
                .orElseThrow(() -> AgencyException.unauthenticated("The ticket is invalid, expired or already used"));
        UserAccount user = accounts.findActive(userId)
                .orElseThrow(() -> AgencyException.unauthenticated("The ticket is invalid, expired or already used"));
        return new TokenService.AccessToken(tokens.accessToken(user), "Bearer", tokens.accessTokenTtlSeconds());
    }

    /** Forgets tickets that expired more than an hour ago. */
    @Scheduled(fixedDelayString = "PT15M", initialDelayString = "PT15M")
    void forgetExpired() {
        jdbc.sql("DELETE FROM ws_tickets WHERE expires_at < now() - interval '1 hour'")
                .update();
    }
}
