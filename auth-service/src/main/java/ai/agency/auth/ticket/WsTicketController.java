package ai.agency.auth.ticket;

import ai.agency.auth.token.TokenService;
import ai.agency.common.security.Caller;
import ai.agency.common.security.Revocations;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Mints WebSocket tickets for callers, and redeems them for the gateway. */
@RestController
class WsTicketController {

    private final WsTicketService tickets;

    WsTicketController(WsTicketService tickets) {
        this.tickets = tickets;
    }

    record RedeemRequest(@NotBlank @Size(max = 100) String ticket) {}

    @PostMapping("/api/v1/auth/ws-ticket")
    WsTicketService.Ticket issue(Caller caller, @AuthenticationPrincipal Jwt token) {
        return tickets.issue(caller, Revocations.versionOf(token));
    }

    /** Public: the ticket is the credential. */
    @PostMapping("/api/v1/auth/ws-ticket/redeem")
    TokenService.AccessToken redeem(@Valid @RequestBody RedeemRequest request) {
        return tickets.redeem(request.ticket());
    }
}
