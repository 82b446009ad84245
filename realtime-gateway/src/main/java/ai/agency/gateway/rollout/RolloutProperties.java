package ai.agency.gateway.rollout;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code agency.gateway.rollout.*}: how canary weights behave (the canaries themselves are configured per route,
 * {@code agency.gateway.routes.<name>.canary}).
 *
 * @param stickyByUser a signed-in user always lands on the same side of a route's canary split (a hash of the user
 *     id instead of a random number), so a conversation is not served by two versions in turn; raising the weight
 *     only moves more users to the canary. Anonymous requests are split at random
 * @param syncInterval how often each replica reads the weights other replicas set (an alert is received by one)
 * @param alertReceiver the Alertmanager webhook that rolls a failing canary back
 */
@Validated
@ConfigurationProperties("agency.gateway.rollout")
public record RolloutProperties(
        @DefaultValue("true") boolean stickyByUser,
        @DefaultValue("5s") Duration syncInterval,
        @Valid @DefaultValue AlertReceiver alertReceiver) {

    /** The shortest receiver secret accepted; {@code openssl rand -base64 32} gives 44 characters. */
    public static final int MIN_SECRET_LENGTH = 16;

    public RolloutProperties {
        if (syncInterval.isNegative() || syncInterval.isZero()) {
            throw new IllegalArgumentException("agency.gateway.rollout.sync-interval must be positive");
        }
    }

    /**
     * {@code POST /internal/rollouts/alerts}: Alertmanager's webhook. A firing alert named in {@code alerts} whose
     * labels name a route ({@code route}) with a canary sets that canary's weight to 0.
     *
     * @param enabled off (default): the path answers 404
     * @param secret the bearer token Alertmanager sends ({@code http_config.authorization.credentials}); required, at
     *     least {@value #MIN_SECRET_LENGTH} characters, when enabled. No default
     * @param alerts the alert names that roll a canary back
     */
    public record AlertReceiver(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("") String secret,

            @DefaultValue({"AgencyCanaryErrorRate", "AgencyCanaryHighLatency"}) @NotEmpty
            List<String> alerts) {

        public AlertReceiver {
            if (enabled) {
                requireSecret(secret);
            }
        }

        static String requireSecret(String secret) {
            if (secret.isBlank()) {
                throw new IllegalArgumentException("agency.gateway.rollout.alert-receiver.secret "
                        + "(AGENCY_GATEWAY_ROLLOUT_ALERT_RECEIVER_SECRET) is not set: the receiver is enabled and "
                        + "anyone who can reach the gateway could roll canaries back (openssl rand -base64 32; "
                        + "Alertmanager sends it as http_config.authorization.credentials)");
            }
            if (secret.strip().length() < MIN_SECRET_LENGTH) {
                throw new IllegalArgumentException("agency.gateway.rollout.alert-receiver.secret is too short: at "
                        + "least " + MIN_SECRET_LENGTH + " characters (openssl rand -base64 32)");
            }
            return secret.strip();
        }
    }
}
