package ai.agency.auth.audit;

import ai.agency.common.security.Caller;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Where the other services' common-lib reporters send authorization denials. Any valid access token may post, but only
 * about itself: the event's user is the token's subject; an {@code actor}, {@code userId} or {@code roles} in the body
 * is ignored.
 */
@RestController
class AuditIngestController {

    private final DenialIngest ingest;

    AuditIngestController(DenialIngest ingest) {
        this.ingest = ingest;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record EventRequest(
            @NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,63}", message = "must be a service name")
            String service,

            @NotBlank @Pattern(regexp = "[A-Z]{1,10}", message = "must be an HTTP method")
            String method,

            @NotBlank @Size(max = 512) @Pattern(regexp = "/\\S*", message = "must be a path")
            String path,

            @Size(max = 200) String reason,

            @Pattern(regexp = "[A-Za-z0-9._:-]{1,64}", message = "must be a trace id")
            String traceId) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Batch(@NotNull @NotEmpty @Size(max = 100) List<@Valid @NotNull EventRequest> events) {}

    @PostMapping("/api/v1/audit/events")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Map<String, Integer> report(Caller caller, @Valid @RequestBody Batch batch) {
        int recorded = ingest.ingest(
                caller,
                batch.events().stream()
                        .map(e -> new DenialIngest.Claim(e.service(), e.method(), e.path(), e.reason(), e.traceId()))
                        .toList());
        return Map.of("recorded", recorded);
    }
}
