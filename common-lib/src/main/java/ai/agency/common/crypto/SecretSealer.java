package ai.agency.common.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AES-256-GCM under the platform's master key ({@code AGENCY_MASTER_KEY}, base64 of 32 bytes): how services seal
 * secrets at rest (signing keys, tool credentials). Without a key the service refuses to start: the constant
 * development key, which anyone who reads this source knows, stands in only when a setting that says so allows it
 * ({@code AGENCY_ALLOW_INSECURE_DEVELOPMENT_MASTER_KEY}, never in the {@code prod} profile), because with it a
 * database login is enough to decrypt everything sealed here. Each service wraps it in a bean of its own that says
 * what it seals.
 */
public class SecretSealer {

    private static final Logger log = LoggerFactory.getLogger(SecretSealer.class);
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    private final String sealedWhat;

    /** Whether the constant development key may stand in for a missing {@code AGENCY_MASTER_KEY}. */
    public enum DevelopmentKey {
        /** Never: without {@code AGENCY_MASTER_KEY} the service refuses to start. */
        REFUSED,
        /**
         * Yes, with a warning (a throwaway development setup that asked for it by name): whoever can read the
         * database can decrypt what is sealed.
         */
        ALLOWED_INSECURELY;

        /**
         * @param allowInsecure the service's {@code allow-insecure-development-master-key} setting
         * @param production a real key is required whatever that setting says (the {@code prod} profile)
         */
        public static DevelopmentKey of(boolean allowInsecure, boolean production) {
            return allowInsecure && !production ? ALLOWED_INSECURELY : REFUSED;
        }
    }

    /**
     * @param configuredKey base64 of 32 bytes, or empty
     * @param developmentKey whether an empty key means the constant development key or a refusal to start
     * @param sealedWhat what this sealer protects, for error messages (e.g. "a stored signing key")
     */
    public SecretSealer(String configuredKey, DevelopmentKey developmentKey, String sealedWhat) {
        this.key = new SecretKeySpec(resolve(configuredKey, developmentKey, sealedWhat), "AES");
        this.sealedWhat = sealedWhat;
    }

    static byte[] resolve(String configured, DevelopmentKey developmentKey, String sealedWhat) {
        if (configured == null || configured.isBlank()) {
            if (developmentKey != DevelopmentKey.ALLOWED_INSECURELY) {
                throw new IllegalStateException("AGENCY_MASTER_KEY is not set, so this service cannot seal "
                        + sealedWhat + " at rest and refuses to start. Generate a key with 'openssl rand -base64 32'"
                        + " and give the same one to every service (./platform does this in .platform/master-key;"
                        + " for docker compose run './platform compose-env'). For a throwaway development setup"
                        + " only, AGENCY_ALLOW_INSECURE_DEVELOPMENT_MASTER_KEY=true uses a constant key known to"
                        + " everyone (refused in the prod profile).");
            }
            log.warn(
                    "AGENCY_MASTER_KEY is not set and AGENCY_ALLOW_INSECURE_DEVELOPMENT_MASTER_KEY=true: sealing {}"
                            + " with the constant development key, which anyone who can read the database can undo."
                            + " Never do this with real data.",
                    sealedWhat);
            return sha256("agency-development-master-key-not-for-production");
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(configured.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("AGENCY_MASTER_KEY must be base64 of 32 bytes (openssl rand -base64 32)");
        }
        if (decoded.length != 32) {
            throw new IllegalStateException(
                    "AGENCY_MASTER_KEY must decode to 32 bytes (AES-256), it decodes to " + decoded.length);
        }
        return decoded;
    }

    /** A fresh random master key, as {@code openssl rand -base64 32} makes one (for tests and tooling). */
    public static String newMasterKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    public byte[] encrypt(byte[] plain) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(iv.length + sealed.length)
                    .put(iv)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Encryption failed", e);
        }
    }

    public byte[] decrypt(byte[] sealed) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, IV_BYTES));
            return cipher.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "Cannot decrypt " + sealedWhat
                            + ": AGENCY_MASTER_KEY differs from the key it was sealed with; start with "
                            + "the original key (./platform keeps it in .platform/master-key)",
                    e);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
