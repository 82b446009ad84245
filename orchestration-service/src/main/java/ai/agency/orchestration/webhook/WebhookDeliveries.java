package ai.agency.orchestration.webhook;

import ai.agency.common.crypto.MasterKey;
import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.OrchestrationProperties;
import ai.agency.orchestration.workflow.TriggerCredentials;
import ai.agency.orchestration.workflow.TriggeredRuns;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a sender's delivery to {@code POST /hooks/{webhookId}} does: the signature must match the webhook's secret (or
 * its previous one during the rotation grace) and be fresh, the body must be JSON; then the body starts a run of the
 * workflow as the webhook's owner, once per delivery id.
 */
@Service
class WebhookDeliveries {

    /** The answer: the run, and whether this delivery started it (202) or an earlier one with its id did (200). */
    record Delivered(UUID runId, boolean duplicate) {}

    static final String DELIVERY_HEADER = "Agency-Delivery";

    /** A random key no sender knows, to sign against when the webhook does not exist. */
    private static final byte[] UNKNOWN_WEBHOOK_SECRET =
            WebhookService.newSecret().getBytes(StandardCharsets.UTF_8);

    private final WebhookRepository webhooks;
    private final TriggerCredentials credentials;
    private final TriggeredRuns runs;
    private final MasterKey sealer;
    private final JsonMapper json;
    private final OrchestrationProperties.Webhooks settings;

    WebhookDeliveries(
            WebhookRepository webhooks,
            TriggerCredentials credentials,
            TriggeredRuns runs,
            MasterKey sealer,
            JsonMapper json,
            OrchestrationProperties properties) {
        this.webhooks = webhooks;
        this.credentials = credentials;
        this.runs = runs;
        this.sealer = sealer;
        this.json = json;
        this.settings = properties.workflows().webhooks();
    }

    Delivered deliver(String webhookId, String signatureHeader, String deliveryId, byte[] body) {
        WebhookSignature signature = WebhookSignature.parse(signatureHeader);
        Webhook webhook = parseId(webhookId).flatMap(webhooks::find).orElse(null);
        Instant now = Instant.now();
        // an unknown webhook is refused like a wrong signature, after as much work: neither the answer nor its time
        // tells which it was
        List<byte[]> secrets = webhook == null ? List.of(UNKNOWN_WEBHOOK_SECRET) : secrets(webhook, now);
        if (!signature.matchesAny(secrets, body) || webhook == null) {
            throw WebhookSignature.refused("The " + WebhookSignature.HEADER
                    + " does not match this webhook's secret (or the webhook does not exist)");
        }
        signature.requireFresh(now, settings.tolerance());
        String delivery = deliveryId(deliveryId);
        JsonNode input = input(body);
        Optional<UUID> seen = webhooks.deliveryRun(webhook.id(), delivery);
        if (seen.isPresent()) {
            return new Delivered(seen.get(), true);
        }
        Caller owner = owner(webhook);
        Optional<UUID> started = runs.start(
                owner,
                webhook.workflowId(),
                input,
                webhook.key(),
                runId -> webhooks.claimDelivery(webhook.id(), delivery, runId));
        if (started.isPresent()) {
            return new Delivered(started.get(), false);
        }
        // a concurrent delivery with the same id won: its run is committed by now
        return new Delivered(webhooks.deliveryRun(webhook.id(), delivery).orElseThrow(), true);
    }

    /** The webhook's owner; a key auth-service refuses is a 403 to the sender (the signature was fine). */
    private Caller owner(Webhook webhook) {
        try {
            return credentials.actAs(webhook.key());
        } catch (AgencyException e) {
            if (e.errorType() == ErrorType.AUTHENTICATION) {
                throw AgencyException.forbidden("The webhook's owner no longer lets it start runs (its API key was"
                        + " revoked, or the account is disabled)");
            }
            throw e;
        }
    }

    private List<byte[]> secrets(Webhook webhook, Instant now) {
        List<byte[]> secrets = new ArrayList<>(2);
        secrets.add(sealer.decrypt(webhook.secret()));
        if (webhook.previousSecret() != null && webhook.previousUntil().isAfter(now)) {
            secrets.add(sealer.decrypt(webhook.previousSecret()));
        }
        return secrets;
    }

    private static Optional<UUID> parseId(String id) {
        try {
            return Optional.of(UUID.fromString(id));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String deliveryId(String header) {
        if (header == null || header.isBlank()) {
            throw AgencyException.invalidField(DELIVERY_HEADER, "is required: a unique id of this delivery");
        }
        String id = header.strip();
        if (id.length() > 200) {
            throw AgencyException.invalidField(DELIVERY_HEADER, "is longer than 200 characters");
        }
        return id;
    }

    private JsonNode input(byte[] body) {
        try {
            JsonNode input = json.readTree(body);
            if (input == null || input.isMissingNode()) {
                throw AgencyException.invalidField("body", "is empty; a JSON document is expected");
            }
            return input;
        } catch (JacksonException e) {
            throw AgencyException.invalidField("body", "is not valid JSON");
        }
    }
}
