package ai.agency.auth.ticket;

import ai.agency.auth.AuthProperties;
import ai.agency.auth.account.AccountService;
import ai.agency.auth.account.UserAccount;
import ai.agency.auth.token.TokenService;
import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
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

    /**
     * A ticket for the calling token: it remembers that token's roles, scopes, API key and token version, so the
     * token it is redeemed for is exactly as narrow, and is revoked with it.
     */
    @Transactional
    public Ticket issue(Caller caller, long tokenVersion) {
        accounts.get(caller.id());
        String ticket = TokenService.newSecret(PREFIX);
        jdbc.sql("INSERT INTO ws_tickets (ticket_hash, user_id, expires_at, roles, scopes, api_key_id, token_version) "
                        + "VALUES (:h, :u, :e, :roles, :scopes, :key, :ver)")
                .param("h", TokenService.hash(ticket))
                .param("u", caller.id())
                .param("e", Timestamp.from(Instant.now().plus(properties.wsTicketTtl())))
                .param("roles", caller.roles().stream().sorted().toArray(String[]::new))
                .param("scopes", caller.scopes().stream().sorted().toArray(String[]::new))
                .param("key", caller.apiKeyId())
                .param("ver", tokenVersion)
                .update();
        return new Ticket(ticket, properties.wsTicketTtl().toSeconds());
    }

    /** Spends a ticket and answers an access token of its user; a used, expired or unknown ticket is a 401. */
    @Transactional
    public TokenService.AccessToken redeem(String ticket) {
        if (ticket == null || !ticket.startsWith(PREFIX) || ticket.length() > 100) {
            throw AgencyException.unauthenticated("The ticket is invalid, expired or already used");
        }
        TicketRow row = jdbc.sql("UPDATE ws_tickets SET used_at = now() WHERE ticket_hash = :h AND used_at IS NULL "
                        + "AND expires_at > now() RETURNING user_id, roles, scopes, api_key_id, token_version")
                .param("h", TokenService.hash(ticket))
                .query((rs, n) -> new TicketRow(
                        rs.getObject("user_id", UUID.class),
                        strings(rs.getArray("roles")),
                        strings(rs.getArray("scopes")),
                        rs.getObject("api_key_id", UUID.class),
                        (Integer) rs.getObject("token_version")))
                .optional()
                .orElseThrow(() -> AgencyException.unauthenticated("The ticket is invalid, expired or already used"));
        UserAccount user = accounts.findActive(row.userId())
                .orElseThrow(() -> AgencyException.unauthenticated("The ticket is invalid, expired or already used"));
        if (row.roles() == null || row.scopes() == null || row.tokenVersion() == null) {
            // a ticket from before narrow tickets: it carries nothing to narrow to, so it buys the least
            return access(user, List.of(Caller.VIEWER), List.of("read"), Map.of("ver", user.tokenVersion()));
        }
        Map<String, Object> claims = new HashMap<>();
        claims.put("ver", row.tokenVersion());
        if (row.apiKeyId() != null) {
            claims.put("api_key_id", row.apiKeyId().toString());
        }
        return access(user, row.roles(), row.scopes(), claims);
    }

    private TokenService.AccessToken access(
            UserAccount user, List<String> roles, List<String> scopes, Map<String, Object> claims) {
        String token = tokens.accessToken(user.subject(), roles, scopes, properties.accessTokenTtl(), claims);
        return new TokenService.AccessToken(token, "Bearer", tokens.accessTokenTtlSeconds());
    }

    private record TicketRow(
            UUID userId,
            @Nullable List<String> roles,
            @Nullable List<String> scopes,
            @Nullable UUID apiKeyId,
            @Nullable Integer tokenVersion) {}

    private static @Nullable List<String> strings(java.sql.@Nullable Array array) throws java.sql.SQLException {
        return array == null ? null : List.of((String[]) array.getArray());
    }

    /** Forgets tickets that expired more than an hour ago. */
    @Scheduled(fixedDelayString = "PT15M", initialDelayString = "PT15M")
    void forgetExpired() {
        jdbc.sql("DELETE FROM ws_tickets WHERE expires_at < now() - interval '1 hour'")
                .update();
    }
}
