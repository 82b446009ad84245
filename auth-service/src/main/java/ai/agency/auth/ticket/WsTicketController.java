package ai.agency.auth.ticket;

import ai.agency.auth.token.TokenService;
import ai.agency.common.security.Caller;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
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
    WsTicketService.Ticket issue(Caller caller) {
        return tickets.issue(caller.id());
    }

    /** Public: the ticket is the credential. */
    @PostMapping("/api/v1/auth/ws-ticket/redeem")
    TokenService.AccessToken redeem(@Valid @RequestBody RedeemRequest request) {
        return tickets.redeem(request.ticket());
    }
}
