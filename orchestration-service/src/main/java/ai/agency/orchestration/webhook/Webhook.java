package ai.agency.orchestration.webhook;

import ai.agency.orchestration.workflow.TriggerCredentials;
import java.time.Instant;
import java.util.UUID;

/**
 * An incoming webhook of a workflow as stored: its signing secret and, for {@code rotation-grace} after a rotation,
 * the previous one (both sealed with the master key), and the API key its runs act with.
 */
record Webhook(
        long seq,
        UUID id,
        UUID workflowId,
        UUID userId,
        byte[] secret,
        byte[] previousSecret,
        Instant previousUntil,
        TriggerCredentials.Key key,
        Instant createdAt) {}
