package ai.agency.auth;

import ai.agency.common.crypto.MasterKey;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of auth-service.
 *
 * @param masterKey base64 of 32 bytes that encrypts signing keys at rest ({@code AGENCY_MASTER_KEY})
 * @param requireMasterKey refuse to start without a real master key whatever {@code
 *     allowInsecureDevelopmentMasterKey} says (on in the {@code prod} profile)
 * @param allowInsecureDevelopmentMasterKey without a master key, seal with the constant development key instead of
 *     refusing to start ({@code AGENCY_ALLOW_INSECURE_DEVELOPMENT_MASTER_KEY}): anyone who can read the database can
 *     then decrypt the signing keys and forge any token; for throwaway development setups only
 * @param accessTokenTtl lifetime of access tokens (at most 15 minutes)
 * @param refreshTokenTtl lifetime of refresh tokens
 * @param bcryptCost work factor of password hashes
 * @param adminUsername the admin account created at first start
 * @param adminPassword its password; when empty, one is generated and written to {@code adminPasswordFile}
 * @param adminPasswordFile where a generated admin password is written (readable by the service's user only; never
 *     logged); default {@code agency-admin-password} in the temporary directory
 * @param keyRotationPeriod age at which the active signing key is replaced by a new one (checked hourly)
 * @param loginLimits how many failed logins slow down a username at a client address, or lock the address
 * @param apiKeyTokenTtl lifetime of the access tokens an API key is exchanged for (at most the access-token TTL)
 * @param wsTicketTtl lifetime of a WebSocket ticket
 * @param mfaIssuer the issuer an authenticator app shows next to the account name (TOTP enrolment)
 * @param passwordResetTtl how long a reset code an admin issued stays usable (at most 1 hour)
 * @param passwordHashing how many password hashes and checks run at once, and how long the others wait
 * @param quotas the quota limits of each role (an admin may set other limits per user)
 * @param oidc the OpenID Connect (and GitHub) providers users may sign in with
 */
@Validated
@ConfigurationProperties("agency.auth")
public record AuthProperties(
        @DefaultValue("") String masterKey,
        @DefaultValue("false") boolean requireMasterKey,
        @DefaultValue("false") boolean allowInsecureDevelopmentMasterKey,
        @DefaultValue("15m") Duration accessTokenTtl,
        @DefaultValue("30d") Duration refreshTokenTtl,
        @DefaultValue("12") @Min(10) @Max(16) int bcryptCost,
        @DefaultValue("admin") String adminUsername,
        @DefaultValue("") String adminPassword,
        Path adminPasswordFile,
        @DefaultValue("30d") Duration keyRotationPeriod,
        @Valid @DefaultValue LoginLimits loginLimits,
        @DefaultValue("5m") Duration apiKeyTokenTtl,
        @DefaultValue("60s") Duration wsTicketTtl,

        @DefaultValue("Agency") @jakarta.validation.constraints.Pattern(regexp = "[^:]{1,64}")
        String mfaIssuer,

        @DefaultValue("1h") Duration passwordResetTtl,
        @Valid @DefaultValue PasswordHashing passwordHashing,
        @Valid @DefaultValue Quotas quotas,
        @Valid @DefaultValue Oidc oidc)
        implements MasterKey.Settings {

    /**
     * Sign-in with OpenID Connect providers ({@code agency.auth.oidc.providers.<id>.*}; docs/auth.md).
     *
     * @param providers by id: lower-case letters and digits, the id in the provider's URLs
     *     ({@code /api/v1/auth/oidc/<id>/callback})
     */
    public record Oidc(Map<String, @Valid OidcProvider> providers) {

        public Oidc {
            providers = providers == null ? Map.of() : Map.copyOf(providers);
            providers.forEach((id, provider) -> {
                if (!id.matches("[a-z0-9]{1,32}")) {
                    throw new IllegalArgumentException("agency.auth.oidc.providers: the id '" + id
                            + "' must be 1-32 lower-case letters or digits");
                }
            });
        }

        public static Oidc none() {
            return new Oidc(Map.of());
        }
    }

    /**
     * One provider.
     *
     * @param name what the sign-in button says ("Sign in with <name>")
     * @param type {@code oidc} (discovery from {@code issuerUri}) or {@code github} (GitHub's OAuth2)
     * @param issuerUri the OpenID Connect issuer; its {@code /.well-known/openid-configuration} is read at first use
     * @param clientId the client id registered at the provider
     * @param clientSecret its secret
     * @param scopes the scopes asked for ({@code openid email profile} for OIDC, {@code read:user user:email} for
     *     GitHub when empty)
     * @param roleClaim a claim of the ID token (a string or a list of strings) whose values map to platform roles
     * @param roleMapping claim value → platform role ({@code admin}, {@code user} or {@code viewer}); a new account
     *     gets the mapped roles, or {@code user} when none maps
     * @param authorizationUri GitHub only: its authorization endpoint
     * @param tokenUri GitHub only: its token endpoint
     * @param userInfoUri GitHub only: its user API ({@code <userInfoUri>/emails} lists the user's emails)
     */
    public record OidcProvider(
            @Nullable String name,
            @DefaultValue("oidc") ProviderType type,
            @Nullable String issuerUri,
            @jakarta.validation.constraints.NotBlank String clientId,
            @jakarta.validation.constraints.NotBlank String clientSecret,
            List<String> scopes,
            @Nullable String roleClaim,
            Map<String, String> roleMapping,

            @DefaultValue("https://github.com/login/oauth/authorize")
            String authorizationUri,

            @DefaultValue("https://github.com/login/oauth/access_token")
            String tokenUri,

            @DefaultValue("https://api.github.com/user") String userInfoUri) {

        public OidcProvider {
            if (type == ProviderType.OIDC && (issuerUri == null || issuerUri.isBlank())) {
                throw new IllegalArgumentException("an oidc provider needs agency.auth.oidc.providers.<id>.issuer-uri");
            }
            if (scopes == null || scopes.isEmpty()) {
                scopes = type == ProviderType.GITHUB
                        ? List.of("read:user", "user:email")
                        : List.of("openid", "email", "profile");
            }
            roleMapping = roleMapping == null ? Map.of() : Map.copyOf(roleMapping);
            roleMapping.forEach((value, role) -> {
                if (!List.of("admin", "user", "viewer").contains(role)) {
                    throw new IllegalArgumentException(
                            "role-mapping: '" + role + "' is not one of admin, user, viewer");
                }
            });
        }
    }

    /** How a provider is spoken to. */
    public enum ProviderType {
        OIDC,
        GITHUB
    }

    /**
     * Quota limits per role ({@code agency.auth.quotas.roles.<role>.*}). A limit left out keeps its default; a
     * negative one means unlimited. A user with several roles gets the most generous limit of each quota.
     *
     * @param roles limits by role name
     */
    public record Quotas(Map<String, RoleQuotas> roles) {

        /** Defaults: generous for {@code user} and {@code viewer}, none for {@code admin}. */
        public static final Map<String, RoleQuotas> DEFAULTS = Map.of(
                "user", new RoleQuotas(1_000_000L, 100_000L, 600L),
                "viewer", new RoleQuotas(1_000_000L, 100_000L, 600L),
                "admin", new RoleQuotas(-1L, -1L, -1L));

        public Quotas {
            Map<String, RoleQuotas> merged = new java.util.HashMap<>(DEFAULTS);
            (roles == null ? Map.<String, RoleQuotas>of() : roles)
                    .forEach((role, limits) -> merged.merge(role, limits, (base, configured) -> configured.over(base)));
            roles = Map.copyOf(merged);
        }

        public static Quotas defaults() {
            return new Quotas(Map.of());
        }
    }

    /**
     * One role's limits; null: the default, negative: unlimited.
     *
     * @param tokensPerDay model tokens (in + out) per UTC day
     * @param memoriesTotal memories held at once
     * @param toolCallsPerMinute tool calls per UTC minute
     */
    public record RoleQuotas(
            @Nullable Long tokensPerDay,
            @Nullable Long memoriesTotal,
            @Nullable Long toolCallsPerMinute) {

        /** These limits where set, {@code base}'s where not. */
        RoleQuotas over(RoleQuotas base) {
            return new RoleQuotas(
                    tokensPerDay != null ? tokensPerDay : base.tokensPerDay,
                    memoriesTotal != null ? memoriesTotal : base.memoriesTotal,
                    toolCallsPerMinute != null ? toolCallsPerMinute : base.toolCallsPerMinute);
        }
    }

    /**
     * The bound on BCrypt work (sign-up, login, password change and reset, re-authentication): CPU-bound, ~0.3 s each
     * at cost 12, so running more at once than there are processors only makes every one of them slower.
     *
     * @param maxConcurrent hashes and checks that run at once; 0 (the default): the number of available processors
     * @param maxWait how long a further one waits for a slot (fair queue) before it is refused with a 429 and {@code
     *     Retry-After}
     */
    public record PasswordHashing(
            @DefaultValue("0") @Min(0) @Max(256) int maxConcurrent,
            @DefaultValue("1s") Duration maxWait) {

        public PasswordHashing {
            if (maxConcurrent == 0) {
                maxConcurrent = Runtime.getRuntime().availableProcessors();
            }
            if (maxWait == null || maxWait.isNegative() || maxWait.compareTo(Duration.ofSeconds(30)) > 0) {
                throw new IllegalArgumentException(
                        "agency.auth.password-hashing.max-wait must be between 0s and 30s, was " + maxWait);
            }
        }

        public static PasswordHashing defaults() {
            return new PasswordHashing(0, Duration.ofSeconds(1));
        }
    }

    /**
     * Failed-login limits, kept in the database so that every replica shares the counts, keyed on the client address
     * the gateway forwards (an IPv6 address counts as its /64).
     *
     * @param maxFailuresPerUsername failures of one (lower-cased) username from one address after which each further
     *     try from there waits: {@code firstDelay}, then twice as long after each failure, up to {@code lockDuration};
     *     the same username from other addresses is not slowed, so a stranger cannot lock an account out
     * @param maxFailuresPerAddress failures within {@code window}, any usernames, that lock the client address
     * @param window how far back failures count
     * @param lockDuration how long an address lock lasts, and the longest delay of a username at an address; both
     *     lift by themselves
     * @param firstDelay the first delay of a username at an address
     */
    public record LoginLimits(
            @DefaultValue("5") @Min(1) int maxFailuresPerUsername,
            @DefaultValue("50") @Min(1) int maxFailuresPerAddress,
            @DefaultValue("15m") Duration window,
            @DefaultValue("15m") Duration lockDuration,
            @DefaultValue("1s") Duration firstDelay) {

        public LoginLimits {
            if (firstDelay.toSeconds() < 1 || firstDelay.compareTo(lockDuration) > 0) {
                throw new IllegalArgumentException("agency.auth.login-limits.first-delay must be between 1s and "
                        + "lock-duration, was " + firstDelay);
            }
        }

        public static LoginLimits defaults() {
            return new LoginLimits(5, 50, Duration.ofMinutes(15), Duration.ofMinutes(15), Duration.ofSeconds(1));
        }
    }

    /** The master key seals the signing keys and the TOTP secrets. */
    @Override
    public String sealedWhat() {
        return "a stored signing key or TOTP secret";
    }

    /** Settings with the defaults of everything but the ones a test cares about. */
    public static AuthProperties of(
            String masterKey, boolean requireMasterKey, Duration accessTokenTtl, String adminPassword) {
        return new AuthProperties(
                masterKey,
                requireMasterKey,
                false,
                accessTokenTtl,
                Duration.ofDays(30),
                12,
                "admin",
                adminPassword,
                defaultAdminPasswordFile(),
                Duration.ofDays(30),
                LoginLimits.defaults(),
                Duration.ofMinutes(5),
                Duration.ofSeconds(60),
                "Agency",
                Duration.ofHours(1),
                PasswordHashing.defaults(),
                Quotas.defaults(),
                Oidc.none());
    }

    private static Path defaultAdminPasswordFile() {
        return Path.of(System.getProperty("java.io.tmpdir"), "agency-admin-password");
    }

    public AuthProperties {
        if (adminPasswordFile == null) {
            adminPasswordFile = defaultAdminPasswordFile();
        }
        if (accessTokenTtl.compareTo(Duration.ofMinutes(15)) > 0
                || accessTokenTtl.isNegative()
                || accessTokenTtl.isZero()) {
            throw new IllegalArgumentException(
                    "agency.auth.access-token-ttl must be between 1s and 15m, was " + accessTokenTtl);
        }
        if (keyRotationPeriod.compareTo(accessTokenTtl) <= 0) {
            throw new IllegalArgumentException(
                    "agency.auth.key-rotation-period must be longer than the access-token TTL, was "
                            + keyRotationPeriod);
        }
        if (apiKeyTokenTtl.isNegative() || apiKeyTokenTtl.isZero()) {
            throw new IllegalArgumentException("agency.auth.api-key-token-ttl must be positive");
        }
        if (apiKeyTokenTtl.compareTo(accessTokenTtl) > 0) {
            apiKeyTokenTtl = accessTokenTtl;
        }
        if (quotas == null) {
            quotas = Quotas.defaults();
        }
        if (oidc == null) {
            oidc = Oidc.none();
        }
        if (passwordHashing == null) {
            passwordHashing = PasswordHashing.defaults();
        }
        if (passwordResetTtl == null) {
            passwordResetTtl = Duration.ofHours(1);
        }
        if (passwordResetTtl.isNegative()
                || passwordResetTtl.isZero()
                || passwordResetTtl.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(
                    "agency.auth.password-reset-ttl must be between 1s and 1h, was " + passwordResetTtl);
        }
        if (wsTicketTtl.isNegative() || wsTicketTtl.isZero() || wsTicketTtl.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException(
                    "agency.auth.ws-ticket-ttl must be between 1s and 5m, was " + wsTicketTtl);
        }
    }
}
