package ai.agency.orchestration.webhook;

import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The caller's incoming webhooks (docs/workflows.md, "Webhooks"); senders deliver to {@link HookController}. */
@RestController
class WebhookController {

    private final WebhookService webhooks;

    WebhookController(WebhookService webhooks) {
        this.webhooks = webhooks;
    }

    @PostMapping("/api/v1/workflows/{id}/webhooks")
    ResponseEntity<WebhookService.WebhookView> create(@PathVariable UUID id, Caller caller) {
        WebhookService.WebhookView created = webhooks.create(caller, id);
        return ResponseEntity.status(HttpStatus.CREATED)
                .header("Location", "/api/v1/webhooks/" + created.id())
                .body(created);
    }

    /** The caller's own webhooks (without secrets), newest first; {@code ?limit&cursor}. */
    @GetMapping("/api/v1/webhooks")
    Page<WebhookService.WebhookView> list(
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor,
            Caller caller) {
        return webhooks.list(caller, limit, cursor);
    }

    @GetMapping("/api/v1/webhooks/{id}")
    WebhookService.WebhookView get(@PathVariable UUID id, Caller caller) {
        return webhooks.get(caller, id);
    }

    @PostMapping("/api/v1/webhooks/{id}/rotate-secret")
    Map<String, String> rotate(@PathVariable UUID id, Caller caller) {
        return Map.of("secret", webhooks.rotate(caller, id).secret());
    }

    @DeleteMapping("/api/v1/webhooks/{id}")
    ResponseEntity<Void> delete(@PathVariable UUID id, Caller caller) {
        webhooks.delete(caller, id);
        return ResponseEntity.noContent().build();
    }
}
