package ai.agency.gateway.rollout;

import ai.agency.common.error.AgencyException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Valid;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Alertmanager's webhook receiver ({@code POST /internal/rollouts/alerts}, Alertmanager's webhook JSON, version 4):
 * each firing alert named in {@code agency.gateway.rollout.alert-receiver.alerts} whose {@code route} label names a
 * route with a canary sets that canary's weight to 0 on every replica (logged, audited, counted). Resolved alerts
 * change nothing: putting a canary back is an operator's decision. Requests without the receiver's secret as bearer
 * token are refused with 401 before the body is read; a body that is not such a payload gets 400.
 */
@RestController
@ConditionalOnBooleanProperty("agency.gateway.rollout.alert-receiver.enabled")
class CanaryAlertReceiver {

    static final String PATH = "/internal/rollouts/alerts";
    private static final Logger log = LoggerFactory.getLogger(CanaryAlertReceiver.class);
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** The fields of Alertmanager's webhook payload this receiver reads (it sends more). */
    record Payload(
            @NotBlank String version,
            @NotBlank String status,
            @NotNull @Size(max = 1000) List<@NotNull @Valid Alert> alerts) {}

    /** One alert of the payload. */
    record Alert(
            @NotBlank String status,
            @NotNull Map<String, String> labels,
            @Nullable String startsAt) {}

    private final CanaryWeights weights;
    private final Validator validator;
    private final byte[] secret;
    private final Set<String> rollbackAlerts;

    CanaryAlertReceiver(CanaryWeights weights, Validator validator, RolloutProperties properties) {
        this.weights = weights;
        this.validator = validator;
        RolloutProperties.AlertReceiver receiver = properties.alertReceiver();
        this.secret =
                RolloutProperties.AlertReceiver.requireSecret(receiver.secret()).getBytes(StandardCharsets.UTF_8);
        this.rollbackAlerts = Set.copyOf(receiver.alerts());
    }

    @PostMapping(PATH)
    Map<String, Object> receive(
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) @Nullable String authorization,
            @RequestBody(required = false) @Nullable String body) {
        if (!authorized(authorization)) {
            throw AgencyException.unauthenticated("Alerts need the receiver's secret as bearer token");
        }
        Payload payload = parse(body);
        List<String> rolledBack = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        for (Alert alert : payload.alerts()) {
            String name = alert.labels().getOrDefault("alertname", "");
            String route = alert.labels().get("route");
            if (!alert.status().equals("firing") || !rollbackAlerts.contains(name)) {
                continue;
            }
            if (route == null || !weights.all().containsKey(route)) {
                log.warn("Alert {} names route '{}', which has no canary: nothing rolled back", name, route);
                ignored.add(String.valueOf(route));
                continue;
            }
            if (weights.require(route).weight() != 0) {
                weights.set(route, 0, "alert", name + " firing since " + alert.startsAt());
            }
            rolledBack.add(route);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("rolledBack", rolledBack.stream().distinct().toList());
        answer.put("ignored", ignored.stream().distinct().toList());
        return answer;
    }

    private boolean authorized(@Nullable String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] presented = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(secret, presented);
    }

    private Payload parse(@Nullable String body) {
        if (body == null || body.isBlank()) {
            throw AgencyException.invalid("An Alertmanager webhook payload is required");
        }
        Payload payload;
        try {
            payload = JSON.readValue(body, Payload.class);
        } catch (JacksonException e) {
            throw AgencyException.invalid("Not an Alertmanager webhook payload: " + e.getOriginalMessage());
        }
        if (payload == null) {
            throw AgencyException.invalid("An Alertmanager webhook payload is required");
        }
        Set<ConstraintViolation<Payload>> violations = validator.validate(payload);
        if (!violations.isEmpty()) {
            throw new ConstraintViolationException(violations);
        }
        return payload;
    }
}
