package ai.agency.orchestration.experiment;

import ai.agency.common.security.Caller;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ExperimentController {

    private final ExperimentService experiments;

    ExperimentController(ExperimentService experiments) {
        this.experiments = experiments;
    }

    /** Starts an experiment (status running); 409 while the agent has another that has not ended. */
    @PostMapping("/api/v1/agents/{id}/experiments")
    @ResponseStatus(HttpStatus.CREATED)
    Experiment create(@PathVariable UUID id, @Valid @RequestBody ExperimentRequest request, Caller caller) {
        return experiments.create(caller, id, request);
    }

    @GetMapping("/api/v1/experiments/{id}")
    Experiment get(@PathVariable UUID id, Caller caller) {
        return experiments.get(caller, id);
    }

    @GetMapping("/api/v1/experiments/{id}/results")
    ExperimentResults results(@PathVariable UUID id, Caller caller) {
        return experiments.results(caller, id);
    }

    @PostMapping("/api/v1/experiments/{id}/pause")
    Experiment pause(@PathVariable UUID id, Caller caller) {
        return experiments.pause(caller, id);
    }

    @PostMapping("/api/v1/experiments/{id}/resume")
    Experiment resume(@PathVariable UUID id, Caller caller) {
        return experiments.resume(caller, id);
    }

    /** Body of POST …/promote. */
    record Promote(@NotNull @Min(1) Integer version) {}

    @PostMapping("/api/v1/experiments/{id}/promote")
    Experiment promote(@PathVariable UUID id, @Valid @RequestBody Promote request, Caller caller) {
        return experiments.promote(caller, id, request.version());
    }
}
