package ai.agency.auth.mfa;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import java.security.InvalidKeyException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.OptionalLong;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.binary.Base32;

/**
 * RFC 6238 time-based one-time passwords with the parameters every authenticator app understands: HMAC-SHA1, six
 * digits, 30-second steps. The HMAC and truncation are java-otp's; this class adds the step window and Base32.
 */
public final class Totp {

    public static final int DIGITS = 6;
    public static final Duration PERIOD = Duration.ofSeconds(30);
    public static final String ALGORITHM = TimeBasedOneTimePasswordGenerator.TOTP_ALGORITHM_HMAC_SHA1;
    /** Steps accepted on either side of the current one, for clock drift and typing time. */
    public static final int WINDOW = 1;

    private static final Base32 BASE32 = new Base32();

    private final TimeBasedOneTimePasswordGenerator generator;

    public Totp() {
        this(DIGITS, ALGORITHM);
    }

    /** Other lengths and HMACs, for the RFC's test vectors. */
    Totp(int digits, String algorithm) {
        this.generator = new TimeBasedOneTimePasswordGenerator(PERIOD, digits, algorithm);
    }

    /** The step a moment falls in: unix seconds / 30. */
    public static long step(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), PERIOD.toSeconds());
    }

    /** The code of {@code step}, zero-padded to the configured number of digits. */
    public String code(byte[] secret, long step) {
        try {
            return generator.generateOneTimePasswordString(
                    new SecretKeySpec(secret, generator.getAlgorithm()),
                    Instant.ofEpochSecond(step * PERIOD.toSeconds()),
                    Locale.ROOT);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("TOTP secret rejected by the HMAC", e);
        }
    }

    /**
     * The step, within {@link #WINDOW} of {@code now}, whose code is {@code code}; the latest one if several match.
     * Empty when none does.
     */
    public OptionalLong matchingStep(byte[] secret, String code, Instant now) {
        long current = step(now);
        for (long step = current + WINDOW; step >= current - WINDOW; step--) {
            if (java.security.MessageDigest.isEqual(
                    code(secret, step).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    code.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
                return OptionalLong.of(step);
            }
        }
        return OptionalLong.empty();
    }

    /** RFC 4648 Base32 without padding: how authenticator apps take the secret. */
    public static String base32(byte[] secret) {
        return BASE32.encodeAsString(secret).replace("=", "");
    }

    public static byte[] fromBase32(String text) {
        return BASE32.decode(text);
    }
}
