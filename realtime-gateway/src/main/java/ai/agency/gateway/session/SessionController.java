package ai.agency.gateway.session;

import ai.agency.common.error.AgencyException;
import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** Collaboration sessions of api.md, served by the gateway itself; the rules live in {@link SessionService}. */
@RestController
@Validated
class SessionController {

    /** {@code userIds}: the users to invite (at most {@code agency.gateway.sessions.max-invitations}). */
    record CreateSession(
            @NotBlank @Size(max = 500) String purpose,
            @Size(max = 1000) List<@NotNull UUID> userIds) {}

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

    @GetMapping("/api/v1/sessions")
    Page<SessionService.Listed> list(
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor,
            Caller caller) {
        return sessions.list(caller.id(), limit, cursor);
    }

    @GetMapping("/api/v1/sessions/{id}")
    SessionService.Session get(@PathVariable UUID id, Caller caller) {
        return sessions.get(caller.id(), id);
    }

    @PostMapping("/api/v1/sessions/{id}/join")
    SessionService.Session join(@PathVariable UUID id, Caller caller) {
        return sessions.join(caller, id);
    }

    @DeleteMapping("/api/v1/sessions/{id}/invitation")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void decline(@PathVariable UUID id, Caller caller) {
        sessions.decline(caller.id(), id);
    }

    @DeleteMapping("/api/v1/sessions/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void end(@PathVariable UUID id, Caller caller) {
        sessions.end(caller.id(), id);
    }

    @PostMapping("/api/v1/sessions/{id}/context")
    @ResponseStatus(HttpStatus.ACCEPTED)
    void share(@PathVariable UUID id, @Valid @RequestBody ShareContext request, Caller caller) {
        if (!request.context().isObject()) {
            throw AgencyException.invalidField("context", "must be an object");
        }
        sessions.share(caller, id, request.context());
    }
}
