import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts a backup stream (stdin → stdout) for {@code ./platform backup}, and decrypts it for {@code ./platform
 * restore}. JDK only, run as a single-file program: {@code java scripts/Seal.java seal|open}. The secret comes from
 * the environment: {@code AGENCY_BACKUP_PASSPHRASE} if set, else {@code AGENCY_MASTER_KEY}.
 *
 * <p>Format: the header {@code "AGENCY-BACKUP-1\n"}, a 16-byte random salt and the PBKDF2 iteration count; then
 * chunks of at most 1 MiB, each sealed on its own with AES-256-GCM (key: PBKDF2-HMAC-SHA256 of the secret and the
 * salt) under the nonce (chunk number, last-chunk flag) and the header as associated data, written as a flag byte, the
 * ciphertext length and the ciphertext. Any changed, reordered, dropped or appended chunk fails authentication; a
 * stream that ends before its last chunk is refused as truncated. Decryption writes a chunk only once it is
 * authenticated, and never holds more than one chunk in memory, whatever the size of the dump.
 */
public class Seal {

    static final byte[] MAGIC = "AGENCY-BACKUP-1\n".getBytes(StandardCharsets.US_ASCII);
    static final int CHUNK = 1 << 20;
    static final int ITERATIONS = 600_000;

    public static void main(String[] args) throws Exception {
        String secret = System.getenv("AGENCY_BACKUP_PASSPHRASE");
        if (secret == null || secret.isEmpty()) {
            secret = System.getenv("AGENCY_MASTER_KEY");
        }
        if (secret == null || secret.isEmpty()) {
            fail("no secret: set AGENCY_BACKUP_PASSPHRASE or AGENCY_MASTER_KEY");
        }
        try {
            switch (args.length == 1 ? args[0] : "") {
                case "seal" -> seal(secret.toCharArray(), System.in, System.out);
                case "open" -> open(secret.toCharArray(), System.in, System.out);
                default -> fail("usage: java scripts/Seal.java seal|open  (stdin to stdout)");
            }
        } catch (GeneralSecurityException e) {
            fail("the backup cannot be decrypted: wrong passphrase or master key, or the file was changed");
        } catch (EOFException e) {
            fail("the backup is truncated");
        }
        System.out.flush();
    }

    static void seal(char[] secret, InputStream in, OutputStream rawOut) throws IOException, GeneralSecurityException {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        DataOutputStream out = new DataOutputStream(rawOut);
        byte[] header = header(salt, ITERATIONS);
        out.write(header);
        SecretKeySpec key = key(secret, salt, ITERATIONS);
        byte[] current = in.readNBytes(CHUNK);
        long index = 0;
        while (true) {
            byte[] next = current.length == CHUNK ? in.readNBytes(CHUNK) : new byte[0];
            boolean last = next.length == 0;
            byte[] sealed = cipher(Cipher.ENCRYPT_MODE, key, index++, last, header).doFinal(current);
            out.writeByte(last ? 1 : 0);
            out.writeInt(sealed.length);
            out.write(sealed);
            if (last) {
                break;
            }
            current = next;
        }
        out.flush();
    }

    static void open(char[] secret, InputStream rawIn, OutputStream out) throws IOException, GeneralSecurityException {
        DataInputStream in = new DataInputStream(rawIn);
        byte[] magic = in.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            fail("not an Agency Platform backup (or a newer format)");
        }
        byte[] salt = in.readNBytes(16);
        int iterations = in.readInt();
        if (iterations < 100_000 || iterations > 10_000_000) {
            fail("not an Agency Platform backup: implausible key derivation settings");
        }
        byte[] header = header(salt, iterations);
        SecretKeySpec key = key(secret, salt, iterations);
        long index = 0;
        while (true) {
            int flag = in.read();
            if (flag < 0) {
                throw new EOFException();
            }
            int length = in.readInt();
            if (flag > 1 || length < 16 || length > CHUNK + 16) {
                fail("the backup is damaged (a chunk header is invalid)");
            }
            byte[] plain = cipher(Cipher.DECRYPT_MODE, key, index++, flag == 1, header).doFinal(in.readNBytes(length));
            out.write(plain);
            if (flag == 1) {
                if (in.read() >= 0) {
                    fail("the backup has data after its last chunk");
                }
                return;
            }
        }
    }

    static byte[] header(byte[] salt, int iterations) {
        return ByteBuffer.allocate(MAGIC.length + salt.length + 4)
                .put(MAGIC)
                .put(salt)
                .putInt(iterations)
                .array();
    }

    static SecretKeySpec key(char[] secret, byte[] salt, int iterations) throws GeneralSecurityException {
        byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(secret, salt, iterations, 256))
                .getEncoded();
        return new SecretKeySpec(key, "AES");
    }

    static Cipher cipher(int mode, SecretKeySpec key, long index, boolean last, byte[] header)
            throws GeneralSecurityException {
        byte[] nonce = ByteBuffer.allocate(12).putLong(index).putInt(last ? 1 : 0).array();
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(128, nonce));
        cipher.updateAAD(header);
        return cipher;
    }

    static void fail(String message) {
        System.err.println("seal: " + message);
        System.exit(1);
    }
}
