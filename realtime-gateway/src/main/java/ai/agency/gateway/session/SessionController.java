package ai.agency.gateway.session;

import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** Collaboration sessions of api.md, served by the gateway itself. */
@RestController
class SessionController {

    record CreateSession(
            @NotBlank @Size(max = 500) String purpose,
            @Size(max = 100) List<@NotNull UUID> userIds) {}

    record ShareContext(@NotNull JsonNode context) {}

    private final SessionService sessions;

    SessionController(SessionService sessions) {
        this.sessions = sessions;
    }

    @PostMapping("/api/v1/sessions")
    @ResponseStatus(HttpStatus.CREATED)
    SessionService.Session create(@Valid @RequestBody CreateSession request, Caller caller) {
        return sessions.create(caller, request.purpose(), request.userIds() == null ? List.of() : request.userIds());
    }

    @GetMapping("/api/v1/sessions/{id}")
    SessionService.Session get(@PathVariable UUID id, Caller caller) {
        return sessions.get(caller.id(), id);
    }

    @PostMapping("/api/v1/sessions/{id}/context")
    @ResponseStatus(HttpStatus.ACCEPTED)
    void share(@PathVariable UUID id, @Valid @RequestBody ShareContext request, Caller caller) {
        if (!request.context().isObject()) {
            throw AgencyException.invalidField("context", "must be an object");
        }
        if (!caller.canWrite()) {
            throw AgencyException.forbidden("Viewers cannot share context");
        }
        sessions.share(caller.id(), id, request.context());
    }
}
