package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class WsTicketTest extends AuthApiTest {

    private Response redeem(String ticket) {
        return post("/api/v1/auth/ws-ticket/redeem", Map.of("ticket", ticket));
    }

    @Test
    void aTicketIsRedeemedOnceForAnAccessTokenOfItsUser() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();

        Response minted = send("POST", "/api/v1/auth/ws-ticket", token, (String) null);

        assertThat(minted.status()).as(minted.body()).isEqualTo(200);
        String ticket = minted.json().get("ticket").asString();
        assertThat(ticket).startsWith("agt_");
        assertThat(minted.json().get("expiresIn").asLong()).isBetween(1L, 60L);
        assertThat(jdbc.sql("SELECT count(*) FROM ws_tickets WHERE ticket_hash = :t")
                        .param("t", ticket)
                        .query(Long.class)
                        .single())
                .as("only the hash is stored")
                .isZero();

        Response redeemed = redeem(ticket);

        assertThat(redeemed.status()).as(redeemed.body()).isEqualTo(200);
        JsonNode body = redeemed.json();
        assertThat(jwtPart(body.get("accessToken").asString(), 1).get("sub").asString())
                .isEqualTo(account.id().toString());
        assertThat(get("/api/v1/users/me", body.get("accessToken").asString()).status())
                .isEqualTo(200);
        assertProblem(redeem(ticket), 401, "authentication");
    }

    @Test
    void anExpiredOrUnknownTicketIsRefused() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();
        String ticket = send("POST", "/api/v1/auth/ws-ticket", token, (String) null)
                .json()
                .get("ticket")
                .asString();
        jdbc.sql("UPDATE ws_tickets SET expires_at = now() - interval '1 second' WHERE user_id = :u")
                .param("u", account.id())
                .update();

        assertProblem(redeem(ticket), 401, "authentication");
        assertProblem(redeem("agt_not-a-ticket"), 401, "authentication");
        assertProblem(redeem("x".repeat(101)), 400, "validation");
    }

    @Test
    void mintingATicketNeedsAToken() {
        assertProblem(send("POST", "/api/v1/auth/ws-ticket", null, (String) null), 401, "authentication");
    }
}
