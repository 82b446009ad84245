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
 * secrets at rest (signing keys, tool credentials). Outside production a fixed development key is used when none
 * is set, with a warning; when a real key is required (the {@code prod} profile) the service refuses to start
 * without one. Each service wraps it in a bean of its own that says what it seals.
 */
public class SecretSealer {

    private static final Logger log = LoggerFactory.getLogger(SecretSealer.class);
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    private final String sealedWhat;

    /**
     * @param configuredKey base64 of 32 bytes, or empty for the development key
     * @param required refuse an empty key (production)
     * @param sealedWhat what this sealer protects, for error messages (e.g. "a stored signing key")
     */
    public SecretSealer(String configuredKey, boolean required, String sealedWhat) {
        this.key = new SecretKeySpec(resolve(configuredKey, required), "AES");
        this.sealedWhat = sealedWhat;
    }

    static byte[] resolve(String configured, boolean required) {
        if (configured == null || configured.isBlank()) {
            if (required) {
                throw new IllegalStateException(
                        "AGENCY_MASTER_KEY is not set. In the prod profile a real master key is "
                                + "required: generate one with 'openssl rand -base64 32' and keep it in your secret store.");
            }
            log.warn("AGENCY_MASTER_KEY is not set: using the development master key. Never do this in production.");
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
