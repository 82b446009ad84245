package ai.agency.orchestration.experiment;

import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.agent.Agent;
import ai.agency.orchestration.agent.AgentService;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

/**
 * A/B experiments between versions of an agent: created and steered by whoever may change the agent, and consulted by
 * every chat turn with the agent ({@link #assign}). Assignments are stored: a user keeps the variant first chosen for
 * them, whatever happens to the weights or the order of the variants afterwards.
 */
@Service
public class ExperimentService {

    private final ExperimentRepository experiments;
    private final AgentService agents;

    ExperimentService(ExperimentRepository experiments, AgentService agents) {
        this.experiments = experiments;
        this.agents = agents;
    }

    /** The experiment a turn runs in and the version it assigns the user. */
    public record Assignment(UUID experimentId, int version) {}

    /**
     * The variant of {@code userId} in the running experiment {@code experimentId} ({@link Agent#runningExperiment()}):
     * the stored one, or one chosen and stored now; empty when the experiment no longer runs.
     */
    public Optional<Assignment> assign(UUID userId, UUID experimentId) {
        Optional<Integer> kept = experiments.assignment(experimentId, userId);
        if (kept.isPresent()) {
            return Optional.of(new Assignment(experimentId, kept.get()));
        }
        return experiments
                .running(experimentId)
                .map(experiment -> new Assignment(
                        experimentId, experiments.assign(experimentId, userId, experiment.pick(userId))));
    }

    Experiment create(Caller caller, UUID agentId, ExperimentRequest request) {
        Agent agent = agents.forChange(caller, agentId);
        List<Experiment.Variant> variants = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < request.variants().size(); i++) {
            ExperimentRequest.VariantRequest variant = request.variants().get(i);
            String field = "variants[" + i + "].version";
            if (!seen.add(variant.version())) {
                throw AgencyException.invalidField(field, "version " + variant.version() + " is named twice");
            }
            try {
                agents.version(caller, agentId, variant.version());
            } catch (AgencyException e) {
                throw AgencyException.invalidField(field, "the agent has no version " + variant.version());
            }
            variants.add(new Experiment.Variant(variant.version(), variant.weight()));
        }
        Experiment experiment = new Experiment(
                UUID.randomUUID(),
                agent.id(),
                caller.id(),
                request.name().strip(),
                Experiment.RUNNING,
                variants,
                null,
                null,
                null);
        try {
            experiments.insert(experiment);
        } catch (DuplicateKeyException e) {
            throw AgencyException.conflict("Agent " + agentId + " already has an experiment that has not ended");
        }
        return get(caller, experiment.id());
    }

    /** The caller's experiment (or, for an admin, one on a shared agent); 404 otherwise. */
    Experiment get(Caller caller, UUID id) {
        return experiments
                .find(id, caller.id(), caller.isAdmin())
                .orElseThrow(() -> AgencyException.notFound("Experiment", id));
    }

    Experiment pause(Caller caller, UUID id) {
        return move(caller, id, List.of(Experiment.RUNNING), Experiment.PAUSED);
    }

    Experiment resume(Caller caller, UUID id) {
        return move(caller, id, List.of(Experiment.PAUSED), Experiment.RUNNING);
    }

    /** Makes {@code version} the agent's current one (a new agent version) and ends the experiment. */
    Experiment promote(Caller caller, UUID id, int version) {
        Experiment experiment = get(caller, id);
        if (Experiment.ENDED.equals(experiment.status())) {
            throw AgencyException.conflict("Experiment " + id + " has already ended");
        }
        if (!experiment.hasVersion(version)) {
            throw AgencyException.invalidField("version", "version " + version + " is not a variant of the experiment");
        }
        agents.promote(caller, experiment.agentId(), version);
        if (!experiments.changeStatus(id, List.of(Experiment.RUNNING, Experiment.PAUSED), Experiment.ENDED, version)) {
            throw AgencyException.conflict("Experiment " + id + " has already ended");
        }
        return get(caller, id);
    }

    ExperimentResults results(Caller caller, UUID id) {
        Experiment experiment = get(caller, id);
        Map<Integer, Long> users = experiments.users(id);
        Map<Integer, ExperimentRepository.Turns> turns = experiments.turns(id);
        ExperimentRepository.Turns none = new ExperimentRepository.Turns(
                0,
                0,
                0,
                0,
                0,
                new ExperimentResults.Percentiles(null, null),
                new ExperimentResults.Percentiles(null, null),
                0,
                0);
        List<ExperimentResults.VariantResults> variants = experiment.variants().stream()
                .map(v -> {
                    ExperimentRepository.Turns t = turns.getOrDefault(v.version(), none);
                    return new ExperimentResults.VariantResults(
                            v.version(),
                            v.weight(),
                            users.getOrDefault(v.version(), 0L),
                            t.turns(),
                            t.failed(),
                            t.cancelled(),
                            ExperimentResults.Feedback.of(t.up(), t.down()),
                            t.firstChunkMs(),
                            t.turnMs(),
                            t.tokens(),
                            t.toolErrors());
                })
                .toList();
        return new ExperimentResults(id, experiment.status(), experiment.winner(), variants);
    }

    private Experiment move(Caller caller, UUID id, List<String> from, String to) {
        Experiment experiment = get(caller, id);
        agents.forChange(caller, experiment.agentId());
        if (!experiments.changeStatus(id, from, to, null)) {
            throw AgencyException.conflict(
                    "Experiment " + id + " is " + get(caller, id).status() + ", not " + from.getFirst());
        }
        return get(caller, id);
    }
}
