package ai.agency.orchestration.agent;

import ai.agency.common.error.AgencyException;
import ai.agency.common.page.Cursor;
import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.model.ChatProviders;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** Agents a user owns, plus the shared ones admins publish (and the built-in default assistant). */
@Service
public class AgentService {

    private final AgentRepository agents;
    private final ChatProviders providers;

    AgentService(AgentRepository agents, ChatProviders providers) {
        this.agents = agents;
        this.providers = providers;
    }

    /** The agent {@code caller} may use; 404 when it does not exist or belongs to someone else. */
    public Agent get(Caller caller, UUID id) {
        return agents.findVisible(id, caller.id()).orElseThrow(() -> AgencyException.notFound("Agent", id));
    }

    /** Like {@link #get}, but an unknown agent in a request body is bad input (400), not a missing resource. */
    public Agent resolveForRequest(Caller caller, UUID id) {
        UUID wanted = id == null ? Agent.DEFAULT_ID : id;
        return agents.findVisible(wanted, caller.id())
                .orElseThrow(() -> AgencyException.invalidField("agentId", "unknown agent " + wanted));
    }

    List<Agent> list(Caller caller) {
        return agents.listVisible(caller.id());
    }

    Agent create(Caller caller, AgentRequest request) {
        requireWriter(caller);
        boolean shared = Boolean.TRUE.equals(request.shared());
        if (shared && !caller.isAdmin()) {
            throw AgencyException.forbidden("Only admins can publish shared agents");
        }
        Agent agent = toAgent(UUID.randomUUID(), shared ? null : caller.id(), shared, request, Instant.now());
        agents.insert(agent, caller.id());
        return get(caller, agent.id());
    }

    /** A change of content becomes a new version; a PUT of the current content changes nothing. */
    Agent update(Caller caller, UUID id, AgentRequest request) {
        Agent existing = writable(caller, id);
        boolean shared = request.shared() == null ? existing.shared() : request.shared();
        if (shared != existing.shared() && !caller.isAdmin()) {
            throw AgencyException.forbidden("Only admins can publish or unpublish shared agents");
        }
        Agent changed = toAgent(id, existing.ownerId(), shared, request, existing.createdAt());
        agents.changeContent(changed, caller.id(), caller.isAdmin());
        if (shared != existing.shared()) {
            agents.changeShared(id, shared);
        }
        return get(caller, id);
    }

    /**
     * Makes the content of {@code version} current again, as a new version (none is lost); the agent unchanged when its
     * current content already is that version's.
     */
    Agent rollback(Caller caller, UUID id, int version) {
        Agent existing = writable(caller, id);
        AgentVersion target = version(caller, id, version);
        agents.changeContent(existing.as(target), caller.id(), caller.isAdmin());
        return get(caller, id);
    }

    /** The versions of an agent the caller may see, newest first. */
    Page<AgentVersion> versions(Caller caller, UUID id, Integer limit, String cursor) {
        get(caller, id);
        int size = Page.limit(limit);
        return Page.of(agents.versions(id, Cursor.seq(cursor), size), size, v -> Cursor.of(v.version()));
    }

    /** One version of an agent the caller may see; 404 for an unknown agent or version. */
    public AgentVersion version(Caller caller, UUID id, int version) {
        get(caller, id);
        return agents.findVersion(id, version)
                .orElseThrow(() -> AgencyException.notFound("Version " + version + " of agent", id));
    }

    List<AgentVersion.Change> diff(Caller caller, UUID id, int from, int to) {
        return version(caller, id, from).changesTo(version(caller, id, to));
    }

    /**
     * The agent as a turn runs it: with the content of {@code version} when one is named (pinned), else its current
     * content.
     */
    public Agent at(Caller caller, UUID id, Integer version) {
        Agent agent = get(caller, id);
        return version == null || version == agent.version() ? agent : agent.as(version(caller, id, version));
    }

    void delete(Caller caller, UUID id) {
        requireWriter(caller);
        Agent existing = get(caller, id);
        if (existing.shared() && !caller.isAdmin()) {
            throw AgencyException.forbidden("Only admins can delete shared agents");
        }
        if (Agent.DEFAULT_ID.equals(id)) {
            throw AgencyException.conflict("The default assistant cannot be deleted");
        }
        agents.delete(id, caller.id(), caller.isAdmin());
    }

    /** The agent, when the caller may change it: 404 when it cannot see it, 403 when it is a shared one. */
    public Agent forChange(Caller caller, UUID id) {
        return writable(caller, id);
    }

    /** Makes the content of {@code version} current (a new version): an experiment's winner. */
    public Agent promote(Caller caller, UUID id, int version) {
        return rollback(caller, id, version);
    }

    private Agent writable(Caller caller, UUID id) {
        requireWriter(caller);
        Agent existing = get(caller, id);
        if (existing.shared() && !caller.isAdmin()) {
            throw AgencyException.forbidden("Only admins can change shared agents");
        }
        return existing;
    }

    private Agent toAgent(UUID id, UUID ownerId, boolean shared, AgentRequest request, Instant createdAt) {
        AgentRequest.ModelRequest model = request.model();
        String provider = model == null ? null : model.provider();
        if (provider != null && !providers.isConfigured(provider)) {
            throw AgencyException.invalidField(
                    "model.provider",
                    "provider '" + provider + "' is not configured here; configured: " + providers.names());
        }
        return new Agent(
                id,
                ownerId,
                shared,
                1,
                request.name().strip(),
                Objects.requireNonNullElse(request.description(), ""),
                Objects.requireNonNullElse(request.capabilities(), List.of()),
                Objects.requireNonNullElse(request.systemPrompt(), ""),
                new Agent.ModelSpec(
                        provider, model == null ? null : model.name(), model == null ? null : model.temperature()),
                Objects.requireNonNullElse(request.tools(), List.of()),
                createdAt,
                Instant.now(),
                null);
    }

    private static void requireWriter(Caller caller) {
        if (!caller.canWrite()) {
            throw AgencyException.forbidden("Viewers cannot change agents");
        }
    }
}
