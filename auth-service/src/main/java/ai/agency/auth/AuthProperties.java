package ai.agency.auth;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of auth-service.
 *
 * @param masterKey base64 of 32 bytes that encrypts signing keys at rest ({@code AGENCY_MASTER_KEY})
 * @param requireMasterKey refuse to start without a real master key (on in the {@code prod} profile)
 * @param accessTokenTtl lifetime of access tokens (at most 15 minutes)
 * @param refreshTokenTtl lifetime of refresh tokens
 * @param bcryptCost work factor of password hashes
 * @param adminUsername the admin account created at first start
 * @param adminPassword its password; generated and logged once when empty
 */
@Validated
@ConfigurationProperties("agency.auth")
public record AuthProperties(
        @DefaultValue("") String masterKey,
        @DefaultValue("false") boolean requireMasterKey,
        @DefaultValue("15m") Duration accessTokenTtl,
        @DefaultValue("30d") Duration refreshTokenTtl,
        @DefaultValue("12") @Min(10) @Max(16) int bcryptCost,
        @DefaultValue("admin") String adminUsername,
        @DefaultValue("") String adminPassword) {

    public AuthProperties {
        if (accessTokenTtl.compareTo(Duration.ofMinutes(15)) > 0
                || accessTokenTtl.isNegative()
                || accessTokenTtl.isZero()) {
            throw new IllegalArgumentException(
                    "agency.auth.access-token-ttl must be between 1s and 15m, was " + accessTokenTtl);
        }
    }
}
