package ai.agency.auth.mfa;

import ai.agency.auth.AuthProperties;
import ai.agency.auth.audit.AuditLog;
import ai.agency.common.crypto.MasterKey;
import ai.agency.common.error.AgencyException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * TOTP second factor (RFC 6238), opt-in per user: enrolment, confirmation, checking codes at login (with replay
 * protection), one-time recovery codes, and turning it off. The TOTP secret is sealed with AES-256-GCM under the
 * master key; recovery codes are stored only as hashes.
 */
@Service
public class MfaService {

    public static final int RECOVERY_CODES = 10;

    private static final Pattern TOTP_CODE = Pattern.compile("\\d{" + Totp.DIGITS + "}");
    private static final Pattern RECOVERY_CODE = Pattern.compile("[A-Z2-7]{16}");
    private static final int SECRET_BYTES = 20;

    /** What a presented code turned out to be. */
    public enum Check {
        /** A current TOTP code, now spent. */
        TOTP,
        /** An unused recovery code, now spent. */
        RECOVERY_CODE,
        /** The user has no confirmed TOTP. */
        NOT_ENABLED,
        /** Neither a current TOTP code nor an unused recovery code. */
        INVALID,
        /** A TOTP code of a step that was already used (replay). */
        REUSED;

        public boolean accepted() {
            return this == TOTP || this == RECOVERY_CODE;
        }
    }

    /** A started enrolment: the secret in Base32 and the same as an {@code otpauth://} URI for a QR code. */
    public record Enrolment(String secret, String otpauthUri, String algorithm, int digits, long period) {}

    /** The caller's second-factor state. */
    public record Status(String totp, @Nullable Instant enabledAt, int recoveryCodesLeft) {}

    private record TotpRow(byte[] secretEnc, @Nullable Instant confirmedAt) {}

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final MasterKey sealer;
    private final String issuer;
    private final Totp totp = new Totp();
    private final SecureRandom random = new SecureRandom();

    MfaService(JdbcClient jdbc, AuditLog audit, MasterKey sealer, AuthProperties properties) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.sealer = sealer;
        this.issuer = properties.mfaIssuer();
    }

    private Optional<TotpRow> row(UUID userId) {
        return jdbc.sql("SELECT secret_enc, confirmed_at FROM mfa_totp WHERE user_id = :u")
                .param("u", userId)
                .query((rs, n) -> new TotpRow(
                        rs.getBytes("secret_enc"),
                        rs.getTimestamp("confirmed_at") == null
                                ? null
                                : rs.getTimestamp("confirmed_at").toInstant()))
                .optional();
    }

    /** True when the user confirmed a TOTP secret, so that login asks for a code. */
    public boolean enabled(UUID userId) {
        return row(userId).map(r -> r.confirmedAt() != null).orElse(false);
    }

    public Status status(UUID userId) {
        Optional<TotpRow> row = row(userId);
        int left = jdbc.sql("SELECT count(*) FROM mfa_recovery_codes WHERE user_id = :u AND used_at IS NULL")
                .param("u", userId)
                .query(Integer.class)
                .single();
        String state = row.isEmpty() ? "disabled" : row.get().confirmedAt() == null ? "pending" : "enabled";
        return new Status(state, row.map(TotpRow::confirmedAt).orElse(null), state.equals("enabled") ? left : 0);
    }

    /**
     * Starts (or restarts) an enrolment with a new random secret. Login does not ask for codes until the user
     * confirms it. 409 when TOTP is already on.
     */
    @Transactional
    public Enrolment enrol(UUID userId, String username) {
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        int stored = jdbc.sql("INSERT INTO mfa_totp (user_id, secret_enc) VALUES (:u, :s) "
                        + "ON CONFLICT (user_id) DO UPDATE SET secret_enc = EXCLUDED.secret_enc, created_at = now(), "
                        + "last_used_step = NULL WHERE mfa_totp.confirmed_at IS NULL")
                .param("u", userId)
                .param("s", sealer.encrypt(secret))
                .update();
        if (stored == 0) {
            throw AgencyException.conflict("Two-factor authentication is already on; turn it off first to re-enrol");
        }
        audit.record(AuditLog.MFA_ENROLMENT_STARTED, userId, Map.of("method", "totp"));
        String base32 = Totp.base32(secret);
        String uri = "otpauth://totp/" + encode(issuer) + ":" + encode(username) + "?secret=" + base32 + "&issuer="
                + encode(issuer) + "&algorithm=SHA1&digits=" + Totp.DIGITS + "&period=" + Totp.PERIOD.toSeconds();
        return new Enrolment(base32, uri, "SHA1", Totp.DIGITS, Totp.PERIOD.toSeconds());
    }

    /**
     * Confirms a pending enrolment with a current code, turning TOTP on. Answers the recovery codes, which are
     * stored hashed and never shown again.
     */
    @Transactional
    public List<String> confirm(UUID userId, String code) {
        TotpRow row = row(userId)
                .orElseThrow(() ->
                        AgencyException.conflict("No enrolment to confirm: start one with POST /api/v1/auth/mfa/totp"));
        if (row.confirmedAt() != null) {
            throw AgencyException.conflict("Two-factor authentication is already on");
        }
        String normalized = normalize(code);
        OptionalLong step = TOTP_CODE.matcher(normalized).matches()
                ? totp.matchingStep(sealer.decrypt(row.secretEnc()), normalized, Instant.now())
                : OptionalLong.empty();
        if (step.isEmpty()) {
            throw AgencyException.invalidField(
                    "code", "does not match the current code of the secret being enrolled (check the device clock)");
        }
        jdbc.sql("UPDATE mfa_totp SET confirmed_at = now(), last_used_step = :s WHERE user_id = :u")
                .param("s", step.getAsLong())
                .param("u", userId)
                .update();
        List<String> codes = newRecoveryCodes(userId);
        audit.record(AuditLog.MFA_ENABLED, userId, Map.of("method", "totp", "recoveryCodes", codes.size()));
        return codes;
    }

    /**
     * Checks a second-factor code of a user with TOTP on, and spends it: a TOTP code (±1 step, each step usable
     * once) or an unused recovery code.
     */
    public Check verify(UUID userId, String code) {
        Optional<TotpRow> row = row(userId).filter(r -> r.confirmedAt() != null);
        if (row.isEmpty()) {
            return Check.NOT_ENABLED;
        }
        String normalized = normalize(code);
        if (TOTP_CODE.matcher(normalized).matches()) {
            OptionalLong step = totp.matchingStep(sealer.decrypt(row.get().secretEnc()), normalized, Instant.now());
            if (step.isEmpty()) {
                return Check.INVALID;
            }
            int claimed = jdbc.sql("UPDATE mfa_totp SET last_used_step = :s WHERE user_id = :u "
                            + "AND (last_used_step IS NULL OR last_used_step < :s)")
                    .param("s", step.getAsLong())
                    .param("u", userId)
                    .update();
            return claimed == 1 ? Check.TOTP : Check.REUSED;
        }
        if (RECOVERY_CODE.matcher(normalized).matches()) {
            int spent = jdbc.sql("UPDATE mfa_recovery_codes SET used_at = now() "
                            + "WHERE user_id = :u AND code_hash = :h AND used_at IS NULL")
                    .param("u", userId)
                    .param("h", recoveryHash(userId, normalized))
                    .update();
            if (spent == 1) {
                audit.record(
                        AuditLog.MFA_RECOVERY_CODE_USED,
                        userId,
                        Map.of("remaining", status(userId).recoveryCodesLeft()));
                return Check.RECOVERY_CODE;
            }
        }
        return Check.INVALID;
    }

    /** New recovery codes replace the old ones. 409 when TOTP is off. */
    @Transactional
    public List<String> regenerateRecoveryCodes(UUID userId) {
        if (!enabled(userId)) {
            throw AgencyException.conflict("Two-factor authentication is not on");
        }
        List<String> codes = newRecoveryCodes(userId);
        audit.record(AuditLog.MFA_RECOVERY_CODES_REGENERATED, userId, Map.of("recoveryCodes", codes.size()));
        return codes;
    }

    /**
     * Turns TOTP off (or cancels a pending enrolment) and deletes the recovery codes.
     *
     * @param actorId the admin who did it for the user, else null
     * @param method how the change was authorised ({@code totp}, {@code recovery_code}, {@code password}, {@code
     *     admin}), for the audit log
     * @return false when there was nothing to turn off
     */
    @Transactional
    public boolean disable(UUID userId, @Nullable UUID actorId, String method) {
        int removed = jdbc.sql("DELETE FROM mfa_totp WHERE user_id = :u")
                .param("u", userId)
                .update();
        jdbc.sql("DELETE FROM mfa_recovery_codes WHERE user_id = :u")
                .param("u", userId)
                .update();
        if (removed > 0) {
            audit.record(AuditLog.MFA_DISABLED, userId, actorId, Map.of("method", method));
        }
        return removed > 0;
    }

    private List<String> newRecoveryCodes(UUID userId) {
        jdbc.sql("DELETE FROM mfa_recovery_codes WHERE user_id = :u")
                .param("u", userId)
                .update();
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < RECOVERY_CODES; i++) {
            byte[] bits = new byte[10];
            random.nextBytes(bits);
            String plain = Totp.base32(bits); // 16 characters, 80 bits
            jdbc.sql("INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES (:u, :h)")
                    .param("u", userId)
                    .param("h", recoveryHash(userId, plain))
                    .update();
            codes.add(String.join(
                    "-", plain.substring(0, 4), plain.substring(4, 8), plain.substring(8, 12), plain.substring(12)));
        }
        return codes;
    }

    /** Spaces and dashes dropped, upper case: {@code abcd-efgh…} and {@code 123 456} are accepted as typed. */
    static String normalize(String code) {
        return code == null ? "" : code.replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT);
    }

    /** SHA-256 of user id and code: 80 random bits need no slow hash; the id keeps equal codes apart. */
    private static String recoveryHash(UUID userId, String normalized) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest((userId + ":" + normalized).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
