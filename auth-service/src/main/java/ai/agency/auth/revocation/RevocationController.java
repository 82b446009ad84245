package ai.agency.auth.revocation;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.List;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The revocation feed over HTTP, for services without a database (multimodal-service). Internal: the gateway does
 * not route {@code /internal/**}, and it holds only ids and versions, no secret.
 */
@RestController
@Validated
class RevocationController {

    record Feed(List<RevocationPublisher.Entry> items) {}

    private final RevocationPublisher revocations;

    RevocationController(RevocationPublisher revocations) {
        this.revocations = revocations;
    }

    @GetMapping("/internal/revocations")
    Feed after(
            @RequestParam(defaultValue = "0") @Min(0) long after,
            @RequestParam(defaultValue = "1000") @Min(1) @Max(1000) int limit) {
        return new Feed(revocations.after(after, limit));
    }
}
