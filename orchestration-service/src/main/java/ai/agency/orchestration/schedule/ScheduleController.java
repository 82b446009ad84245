package ai.agency.orchestration.schedule;

import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Cron schedules of workflows (docs/workflows.md, "Schedules"). */
@RestController
class ScheduleController {

    private final ScheduleService schedules;

    ScheduleController(ScheduleService schedules) {
        this.schedules = schedules;
    }

    record PauseRequest(Boolean paused) {}

    @PostMapping("/api/v1/workflows/{id}/schedules")
    ResponseEntity<ScheduleView> create(@PathVariable UUID id, @RequestBody ScheduleRequest request, Caller caller) {
        ScheduleView created = schedules.create(caller, id, request);
        return ResponseEntity.status(HttpStatus.CREATED)
                .header("Location", "/api/v1/schedules/" + created.id())
                .body(created);
    }

    /** The caller's own schedules, newest first; {@code ?limit&cursor}. */
    @GetMapping("/api/v1/schedules")
    Page<ScheduleView> list(
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor,
            Caller caller) {
        return schedules.list(caller, limit, cursor);
    }

    @GetMapping("/api/v1/schedules/{id}")
    ScheduleView get(@PathVariable UUID id, Caller caller) {
        return schedules.get(caller, id);
    }

    @PatchMapping("/api/v1/schedules/{id}")
    ScheduleView pause(@PathVariable UUID id, @RequestBody PauseRequest request, Caller caller) {
        return schedules.pause(caller, id, request.paused());
    }

    @DeleteMapping("/api/v1/schedules/{id}")
    ResponseEntity<Void> delete(@PathVariable UUID id, Caller caller) {
        schedules.delete(caller, id);
        return ResponseEntity.noContent().build();
    }
}
