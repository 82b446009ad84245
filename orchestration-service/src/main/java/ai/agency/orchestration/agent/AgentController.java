package ai.agency.orchestration.agent;

import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
class AgentController {

    private final AgentService agents;

    AgentController(AgentService agents) {
        this.agents = agents;
    }

    @PostMapping("/api/v1/agents")
    @ResponseStatus(HttpStatus.CREATED)
    Agent create(@Valid @RequestBody AgentRequest request, Caller caller) {
        return agents.create(caller, request);
    }

    /** Agents are few per user, so the list is one page: {@code nextCursor} is always null. */
    @GetMapping("/api/v1/agents")
    Page<Agent> list(Caller caller) {
        return Page.all(agents.list(caller));
    }

    @GetMapping("/api/v1/agents/{id}")
    Agent get(@PathVariable UUID id, Caller caller) {
        return agents.get(caller, id);
    }

    @PutMapping("/api/v1/agents/{id}")
    Agent update(@PathVariable UUID id, @Valid @RequestBody AgentRequest request, Caller caller) {
        return agents.update(caller, id, request);
    }

    /** Newest first, paged by version number. */
    @GetMapping("/api/v1/agents/{id}/versions")
    Page<AgentVersion> versions(
            @PathVariable UUID id,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor,
            Caller caller) {
        return agents.versions(caller, id, limit, cursor);
    }

    @GetMapping("/api/v1/agents/{id}/versions/{version}")
    AgentVersion version(@PathVariable UUID id, @PathVariable int version, Caller caller) {
        return agents.version(caller, id, version);
    }

    /** {@code {changes: [{field, old, new}]}}: what changed from version {@code a} to version {@code b}. */
    record Diff(List<AgentVersion.Change> changes) {}

    @GetMapping("/api/v1/agents/{id}/versions/{a}/diff/{b}")
    Diff diff(@PathVariable UUID id, @PathVariable int a, @PathVariable int b, Caller caller) {
        return new Diff(agents.diff(caller, id, a, b));
    }

    /** Body of POST /api/v1/agents/{id}/rollback. */
    record Rollback(@NotNull @Min(1) Integer version) {}

    @PostMapping("/api/v1/agents/{id}/rollback")
    Agent rollback(@PathVariable UUID id, @Valid @RequestBody Rollback request, Caller caller) {
        return agents.rollback(caller, id, request.version());
    }

    @DeleteMapping("/api/v1/agents/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable UUID id, Caller caller) {
        agents.delete(caller, id);
    }
}
