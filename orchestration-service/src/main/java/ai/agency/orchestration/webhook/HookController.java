package ai.agency.orchestration.webhook;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import ai.agency.orchestration.OrchestrationProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /hooks/{webhookId}}: deliveries from senders, public (no token; the signature is the credential).
 * 202 {@code {runId}} for a new delivery, 200 with the first run's id for a delivery id seen before.
 */
@RestController
class HookController {

    private final WebhookDeliveries deliveries;
    private final int maxBodySize;

    HookController(WebhookDeliveries deliveries, OrchestrationProperties properties) {
        this.deliveries = deliveries;
        this.maxBodySize = properties.workflows().webhooks().maxBodySize();
    }

    @PostMapping("/hooks/{webhookId}")
    ResponseEntity<Map<String, Object>> deliver(
            @PathVariable String webhookId,
            @RequestHeader(value = WebhookSignature.HEADER, required = false) String signature,
            @RequestHeader(value = WebhookDeliveries.DELIVERY_HEADER, required = false) String deliveryId,
            HttpServletRequest request)
            throws IOException {
        byte[] body = body(request);
        WebhookDeliveries.Delivered delivered = deliveries.deliver(webhookId, signature, deliveryId, body);
        return ResponseEntity.status(delivered.duplicate() ? HttpStatus.OK : HttpStatus.ACCEPTED)
                .body(Map.of("runId", delivered.runId(), "duplicate", delivered.duplicate()));
    }

    /** The raw body (the signature covers its exact bytes), at most {@code max-body-size} bytes, else 413. */
    private byte[] body(HttpServletRequest request) throws IOException {
        if (request.getContentLengthLong() > maxBodySize) {
            throw tooLarge();
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes(maxBodySize + 1);
            if (body.length > maxBodySize) {
                throw tooLarge();
            }
            return body;
        }
    }

    private AgencyException tooLarge() {
        return new AgencyException(
                ErrorType.VALIDATION,
                HttpStatus.CONTENT_TOO_LARGE,
                "body: is larger than " + maxBodySize + " bytes",
                List.of(new AgencyException.FieldError("body", "is larger than " + maxBodySize + " bytes")),
                null);
    }
}
