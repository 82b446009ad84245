package ai.agency.orchestration.workflow;

import ai.agency.common.client.ServiceClients;
import ai.agency.common.crypto.MasterKey;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.OrchestrationProperties;
import ai.agency.orchestration.StoredCaller;
import com.nimbusds.jwt.JWTParser;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.databind.JsonNode;

/**
 * Who a run acts as when its steps call tool-service and memory-service, also after the access token of the user
 * who started it expired (access tokens live minutes, runs may wait days for an approval).
 *
 * <p>When a run starts, orchestration asks auth-service, with the starter's still valid token, for an API key of
 * that user named {@code workflow-run <runId>} with the scopes {@code read, write} ({@code POST
 * /api/v1/auth/api-keys}); the key is stored with the run, sealed with the master key. A step uses the starter's
 * token while it is valid for more than {@code credential-refresh-margin}; after that the key is exchanged for a
 * short-lived access token ({@code POST /api/v1/auth/api-keys/exchange}), kept in memory until it nears its own
 * expiry. When the run has ended, the key is revoked with a token exchanged from it ({@code DELETE
 * /api/v1/auth/api-keys/{id}}) and cleared; a revocation that fails (auth-service down) is retried by the recovery
 * sweep, so keys do not outlive their runs for long.
 *
 * <p>A run started by a schedule or a webhook borrows that trigger's key instead ({@link TriggerCredentials}): it is
 * cleared, not revoked, when the run ends, since the trigger goes on using it.
 *
 * <p>When auth-service cannot issue a key (down, or the user already has 100 active keys) the run starts anyway with
 * the starter's token only, and a tool or agent step executed after that token expired fails with
 * {@code authentication} and a message saying so.
 */
@Component
class RunCredentials {

    private static final Logger log = LoggerFactory.getLogger(RunCredentials.class);

    /** An issued key: its id and the key itself, sealed. */
    record Grant(UUID keyId, byte[] sealedKey) {}

    /** An access token exchanged from a key, and when it expires. */
    record Fresh(String token, Instant expiresAt) {}

    private final ServiceClients clients;
    private final RunRepository runs;
    private final TransactionTemplate tx;
    private final MasterKey sealer;
    private final boolean enabled;
    private final Duration margin;
    private final Map<UUID, Fresh> fresh = new ConcurrentHashMap<>();
    private final AtomicBoolean revoking = new AtomicBoolean();

    RunCredentials(
            ServiceClients clients,
            RunRepository runs,
            TransactionTemplate tx,
            MasterKey sealer,
            OrchestrationProperties properties) {
        this.clients = clients;
        this.runs = runs;
        this.tx = tx;
        this.sealer = sealer;
        this.enabled = properties.workflows().runCredentials();
        this.margin = properties.workflows().credentialRefreshMargin();
    }

    private RestClient auth() {
        return clients.restClient("auth");
    }

    /** Asks auth-service for the run's API key as {@code caller}; empty (logged) when it cannot issue one. */
    Optional<Grant> grant(Caller caller, UUID runId) {
        if (!enabled || caller.token() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(issue(caller.token(), "workflow-run " + runId));
        } catch (RuntimeException e) {
            log.warn(
                    "auth-service issued no credential for workflow run {} ({}); its steps can call other services"
                            + " only until the starter's access token expires",
                    runId,
                    ErrorClassifier.classify(e).code());
            return Optional.empty();
        }
    }

    /**
     * Asks auth-service, with the user's {@code token}, for an API key of that user named {@code name} with the
     * scopes {@code read, write}, and seals it. Throws what the call threw.
     */
    Grant issue(String token, String name) {
        JsonNode created = auth().post()
                .uri("/api/v1/auth/api-keys")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .body(Map.of("name", name, "scopes", List.of("read", "write")))
                .retrieve()
                .body(JsonNode.class);
        UUID keyId = UUID.fromString(created.path("id").asString());
        byte[] sealed = sealer.encrypt(created.path("key").asString().getBytes(StandardCharsets.UTF_8));
        return new Grant(keyId, sealed);
    }

    /**
     * The identity a step acts as: the starter (id, name, roles as stored) with an access token that is valid for
     * the next {@code credential-refresh-margin}. Throws {@link StepFailure} {@code authentication} when there is
     * none, or the class of auth-service's failure (recoverable ones are retried under the step's policy).
     */
    Caller actingAs(Run run) {
        String token = run.caller().path("token").asString(null);
        Instant expires = expiry(token);
        if (token != null && expires.isAfter(Instant.now().plus(margin))) {
            return StoredCaller.fromJson(run.caller(), token);
        }
        Fresh cached = fresh.get(run.id());
        if (cached != null && cached.expiresAt().isAfter(Instant.now().plus(margin))) {
            return StoredCaller.fromJson(run.caller(), cached.token());
        }
        Optional<Grant> grant = runs.credential(run.id());
        if (grant.isEmpty()) {
            if (token != null && expires.isAfter(Instant.now())) {
                return StoredCaller.fromJson(
                        run.caller(), token); // about to expire, but still valid and nothing better
            }
            throw new StepFailure(
                    ErrorType.AUTHENTICATION,
                    "The access token of the user who started the run "
                            + (token == null ? "is no longer stored" : "expired at " + expires)
                            + " and the run holds no service credential (auth-service issued none when the run"
                            + " started), so it cannot call other services as that user any more");
        }
        Fresh exchanged = exchange(grant.get());
        fresh.put(run.id(), exchanged);
        return StoredCaller.fromJson(run.caller(), exchanged.token());
    }

    /**
     * Exchanges the key for a short-lived access token of its owner. Throws {@link StepFailure} {@code
     * authentication} when auth-service refuses the key (revoked, user disabled), else the class of its failure.
     */
    Fresh exchange(Grant grant) {
        String key = new String(sealer.decrypt(grant.sealedKey()), StandardCharsets.UTF_8);
        try {
            JsonNode answer = auth().post()
                    .uri("/api/v1/auth/api-keys/exchange")
                    .header("X-API-Key", key)
                    .retrieve()
                    .body(JsonNode.class);
            String token = answer.path("accessToken").asString();
            return new Fresh(token, expiry(token));
        } catch (RestClientResponseException e) {
            if (e.getStatusCode().isSameCodeAs(HttpStatus.UNAUTHORIZED)) {
                throw new StepFailure(
                        ErrorType.AUTHENTICATION,
                        "auth-service refused the run's service credential (the key was revoked or the user was"
                                + " disabled)");
            }
            ErrorType type = ErrorClassifier.classify(e);
            throw new StepFailure(type, "auth-service could not renew the run's access token (" + type.code() + ")");
        } catch (StepFailure e) {
            throw e;
        } catch (RuntimeException e) {
            ErrorType type = ErrorClassifier.classify(e);
            throw new StepFailure(type, "auth-service could not renew the run's access token (" + type.code() + ")");
        }
    }

    /**
     * Revokes the keys of runs that have ended (in auth-service) and clears them; keys auth-service no longer knows
     * are just cleared. Returns how many were cleared; the others are tried again on the next call.
     */
    int revokeFinished() {
        if (!revoking.compareAndSet(false, true)) {
            return 0; // another thread is at it; it takes what is there
        }
        try {
            return revokeFinishedNow();
        } finally {
            revoking.set(false);
        }
    }

    /** The run has ended here: its exchanged token is no longer needed. */
    void forget(UUID runId) {
        fresh.remove(runId);
    }

    private int revokeFinishedNow() {
        int cleared = 0;
        for (RunRepository.FinishedCredential finished : runs.finishedCredentials(20)) {
            fresh.remove(finished.runId());
            if (finished.borrowed()) { // a schedule's or webhook's key: the trigger revokes it when it is deleted
                tx.executeWithoutResult(s -> runs.clearCredential(finished.runId()));
                cleared++;
                continue;
            }
            try {
                revoke(finished.grant());
            } catch (RuntimeException e) {
                log.warn(
                        "could not revoke the credential of workflow run {} yet: {}",
                        finished.runId(),
                        ErrorClassifier.classify(e).code());
                continue;
            }
            tx.executeWithoutResult(s -> runs.clearCredential(finished.runId()));
            cleared++;
        }
        return cleared;
    }

    /** Revokes the key (with a token exchanged from it); a key already revoked is fine. */
    void revoke(Grant grant) {
        Fresh token;
        try {
            token = exchange(grant);
        } catch (StepFailure e) {
            if (e.type() == ErrorType.AUTHENTICATION) {
                return; // already revoked (or the user is disabled): nothing left to do
            }
            throw e;
        }
        try {
            auth().delete()
                    .uri("/api/v1/auth/api-keys/{id}", grant.keyId())
                    .header(HttpHeaders.AUTHORIZATION, "Bearer " + token.token())
                    .retrieve()
                    .toBodilessEntity();
        } catch (RestClientResponseException e) {
            if (!e.getStatusCode().isSameCodeAs(HttpStatus.NOT_FOUND)) {
                throw e;
            }
        }
    }

    /** When a JWT expires (read without verifying it: it is only used to decide whether to renew). */
    static Instant expiry(String token) {
        if (token == null) {
            return Instant.EPOCH;
        }
        try {
            Date exp = JWTParser.parse(token).getJWTClaimsSet().getExpirationTime();
            return exp == null ? Instant.MAX : exp.toInstant();
        } catch (ParseException e) {
            return Instant.EPOCH;
        }
    }
}
