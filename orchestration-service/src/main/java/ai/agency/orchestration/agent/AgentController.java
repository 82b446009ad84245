package ai.agency.orchestration.agent;

import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import jakarta.validation.Valid;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
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

    @DeleteMapping("/api/v1/agents/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable UUID id, Caller caller) {
        agents.delete(caller, id);
    }
}
