package ai.agency.orchestration.experiment;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/** The stable hash that places a user in an experiment's variants. */
final class Assignments {

    private Assignments() {}

    /** A number in [0, 1) that depends only on the experiment and the user (SHA-256 of both ids). */
    static double unitHash(UUID experimentId, UUID userId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((experimentId + ":" + userId).getBytes(StandardCharsets.UTF_8));
            long bits = ByteBuffer.wrap(digest).getLong() >>> 11; // 53 random bits
            return bits / (double) (1L << 53);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
