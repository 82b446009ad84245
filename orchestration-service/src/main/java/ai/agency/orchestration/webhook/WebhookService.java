package ai.agency.orchestration.webhook;

import ai.agency.common.crypto.MasterKey;
import ai.agency.common.error.AgencyException;
import ai.agency.common.page.Cursor;
import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.OrchestrationProperties;
import ai.agency.orchestration.workflow.TriggerCredentials;
import ai.agency.orchestration.workflow.TriggeredRuns;
import ai.agency.orchestration.workflow.WorkflowTriggers;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/** Creating, listing, rotating and deleting the caller's own incoming webhooks. */
@Service
class WebhookService implements WorkflowTriggers {

    /** A webhook as its owner sees it; {@code secret} only in the answers that create or rotate it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record WebhookView(UUID id, UUID workflowId, String url, String secret, Instant createdAt) {}

    private static final Logger log = LoggerFactory.getLogger(WebhookService.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final WebhookRepository webhooks;
    private final TriggerCredentials credentials;
    private final TriggeredRuns runs;
    private final MasterKey sealer;
    private final OrchestrationProperties.Webhooks settings;

    WebhookService(
            WebhookRepository webhooks,
            TriggerCredentials credentials,
            TriggeredRuns runs,
            MasterKey sealer,
            OrchestrationProperties properties) {
        this.webhooks = webhooks;
        this.credentials = credentials;
        this.runs = runs;
        this.sealer = sealer;
        this.settings = properties.workflows().webhooks();
    }

    WebhookView create(Caller caller, UUID workflowId) {
        runs.requireOwnWorkflow(caller, workflowId);
        if (webhooks.count(caller.id()) >= settings.maxPerUser()) {
            throw AgencyException.conflict(
                    "You have " + settings.maxPerUser() + " webhooks, the most one user may have; delete one first");
        }
        UUID id = UUID.randomUUID();
        TriggerCredentials.Key key = credentials.issue(caller, "workflow-webhook " + id);
        String secret = newSecret();
        Webhook webhook = new Webhook(0, id, workflowId, caller.id(), seal(secret), null, null, key, Instant.now());
        try {
            webhooks.insert(webhook);
        } catch (RuntimeException e) {
            credentials.revoke(key);
            throw e;
        }
        log.info("user {} created webhook {} for workflow {}", caller.id(), id, workflowId);
        return view(webhook, secret);
    }

    Page<WebhookView> list(Caller caller, Integer limit, String cursor) {
        int size = Page.limit(limit);
        List<Webhook> rows = webhooks.list(caller.id(), Cursor.seq(cursor), size);
        return Page.of(rows, size, w -> view(w, null), w -> Cursor.of(w.seq()));
    }

    WebhookView get(Caller caller, UUID id) {
        return view(own(caller, id), null);
    }

    /** A new secret; the previous one stays valid for {@code rotation-grace}, so senders can switch. */
    WebhookView rotate(Caller caller, UUID id) {
        requireWriter(caller);
        Webhook webhook = own(caller, id);
        String secret = newSecret();
        if (!webhooks.rotate(id, caller.id(), seal(secret), Instant.now().plus(settings.rotationGrace()))) {
            throw AgencyException.notFound("Webhook", id);
        }
        log.info("user {} rotated the secret of webhook {}", caller.id(), id);
        return view(webhook, secret);
    }

    /** Deletes the webhook (its URL answers 401 from now on) and revokes its API key. */
    void delete(Caller caller, UUID id) {
        requireWriter(caller);
        Webhook webhook = own(caller, id);
        if (!webhooks.delete(id, caller.id())) {
            throw AgencyException.notFound("Webhook", id);
        }
        credentials.revoke(webhook.key());
    }

    private Webhook own(Caller caller, UUID id) {
        return webhooks.find(id, caller.id()).orElseThrow(() -> AgencyException.notFound("Webhook", id));
    }

    WebhookView view(Webhook webhook, String secret) {
        String url = settings.publicUrl().replaceAll("/+$", "") + "/hooks/" + webhook.id();
        return new WebhookView(webhook.id(), webhook.workflowId(), url, secret, webhook.createdAt());
    }

    private byte[] seal(String secret) {
        return sealer.encrypt(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code whsec_} and 32 random bytes, base64url: the HMAC key is this whole string's UTF-8 bytes. */
    static String newSecret() {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** The workflow is being deleted: its webhooks go with it, in its transaction. */
    @Override
    public List<TriggerCredentials.Key> deleteAll(UUID workflowId) {
        return webhooks.deleteOfWorkflow(workflowId);
    }

    private static void requireWriter(Caller caller) {
        if (!caller.canWrite()) {
            throw AgencyException.forbidden("Viewers cannot change webhooks");
        }
    }
}
