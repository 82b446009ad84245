package ai.agency.orchestration.workflow;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.common.security.Caller;
import ai.agency.common.security.Revocations;
import ai.agency.orchestration.OrchestrationProperties;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClientResponseException;

/**
 * Who a run acts as when nobody started it by hand: a schedule's tick or a webhook's delivery arrives without any
 * user token. When the user creates the trigger (their token is present), auth-service issues an API key of theirs
 * for it, named e.g. {@code workflow-schedule <id>}, scopes {@code read, write}; the trigger stores it sealed with
 * the master key ({@link RunCredentials#issue}). When the trigger fires, the key is exchanged for a short-lived access
 * token (kept until it nears its expiry) and the run starts as that user, borrowing the key to renew its token later.
 * Deleting the trigger revokes the key.
 */
@Component
public class TriggerCredentials {

    private static final Logger log = LoggerFactory.getLogger(TriggerCredentials.class);

    /** A trigger's API key: its id in auth-service and the key, sealed with the master key. */
    public record Key(UUID id, byte[] sealed) {

        RunCredentials.Grant grant() {
            return new RunCredentials.Grant(id, sealed);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && key.id.equals(id) && Arrays.equals(key.sealed, sealed);
        }

        @Override
        public int hashCode() {
            return id.hashCode();
        }

        @Override
        public String toString() {
            return "Key[" + id + "]";
        }
    }

    private final RunCredentials credentials;
    private final Revocations revocations;
    private final Duration margin;
    private final Map<UUID, RunCredentials.Fresh> fresh = new ConcurrentHashMap<>();

    TriggerCredentials(RunCredentials credentials, Revocations revocations, OrchestrationProperties properties) {
        this.credentials = credentials;
        this.revocations = revocations;
        this.margin = properties.workflows().credentialRefreshMargin();
    }

    /**
     * Issues the trigger's key as {@code caller}, named {@code name}. A token that itself came from an API key cannot
     * (403 problem: auth-service lets only a signed-in owner create keys); auth-service down is a 503 problem.
     */
    public Key issue(Caller caller, String name) {
        caller.requireOwnSignIn("create a trigger that acts as you (schedules and webhooks hold an API key of yours)");
        try {
            RunCredentials.Grant grant = credentials.issue(caller.token(), name);
            return new Key(grant.keyId(), grant.sealedKey());
        } catch (RestClientResponseException e) {
            if (e.getStatusCode().isSameCodeAs(HttpStatus.FORBIDDEN)
                    || e.getStatusCode().isSameCodeAs(HttpStatus.UNPROCESSABLE_ENTITY)
                    || e.getStatusCode().isSameCodeAs(HttpStatus.CONFLICT)) {
                throw AgencyException.forbidden("auth-service refused an API key for this trigger (status "
                        + e.getStatusCode().value() + "; e.g. the account holds the most keys it may have)");
            }
            throw unavailable(e);
        } catch (RuntimeException e) {
            throw unavailable(e);
        }
    }

    /**
     * The trigger's owner with a fresh access token exchanged from the key. Throws {@link AgencyException} {@code
     * authentication} when auth-service refuses the key (revoked, user disabled), else the class of its failure.
     */
    public Caller actAs(Key key) {
        RunCredentials.Fresh token = fresh.get(key.id());
        if (token == null || !token.expiresAt().isAfter(Instant.now().plus(margin)) || revoked(token, key)) {
            try {
                token = credentials.exchange(key.grant());
            } catch (StepFailure e) {
                throw new AgencyException(
                        e.type(), e.getMessage().replace("the run's service credential", "the trigger's API key"));
            }
            fresh.put(key.id(), token);
        }
        return callerOf(token.token());
    }

    /** Revokes the key of a deleted trigger; a failure is logged (the key then stays until revoked by hand). */
    public void revoke(Key key) {
        fresh.remove(key.id());
        try {
            credentials.revoke(key.grant());
        } catch (RuntimeException e) {
            log.warn(
                    "could not revoke API key {} of a deleted workflow trigger: {}",
                    key.id(),
                    ErrorClassifier.classify(e).code());
        }
    }

    /**
     * A token kept from an earlier exchange is used again only while the revocation feed says neither it nor the key
     * was revoked (a feed that was not read yet says revoked: the key is then exchanged each time).
     */
    private boolean revoked(RunCredentials.Fresh token, Key key) {
        try {
            JWTClaimsSet claims = JWTParser.parse(token.token()).getJWTClaimsSet();
            Long version = claims.getLongClaim("ver");
            return revocations.isRevoked(UUID.fromString(claims.getSubject()), version == null ? 0 : version, key.id());
        } catch (ParseException | IllegalArgumentException | NullPointerException e) {
            return true;
        }
    }

    private static AgencyException unavailable(RuntimeException e) {
        ErrorType type = ErrorClassifier.classify(e);
        log.warn("auth-service issued no API key for a workflow trigger ({})", type.code());
        return new AgencyException(
                ErrorType.SERVICE_UNAVAILABLE,
                "auth-service could not issue the API key this trigger acts with (" + type.code() + "); try again");
    }

    /** The caller an access token from auth-service names (read without verifying: it came from auth-service). */
    static Caller callerOf(String token) {
        try {
            JWTClaimsSet claims = JWTParser.parse(token).getJWTClaimsSet();
            List<String> roles = claims.getStringListClaim("roles");
            String scope = claims.getStringClaim("scope");
            String apiKeyId = claims.getStringClaim("api_key_id");
            return new Caller(
                    UUID.fromString(claims.getSubject()),
                    claims.getStringClaim("username"),
                    roles == null ? Set.of() : Set.copyOf(roles),
                    scope == null || scope.isBlank()
                            ? Set.of()
                            : Set.of(scope.strip().split("\\s+")),
                    token,
                    apiKeyId == null ? null : UUID.fromString(apiKeyId));
        } catch (ParseException | IllegalArgumentException | NullPointerException e) {
            throw new AgencyException(
                    ErrorType.AUTHENTICATION, "auth-service answered the trigger's API key with an unreadable token");
        }
    }
}
