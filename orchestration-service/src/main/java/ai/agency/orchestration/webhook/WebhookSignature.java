package ai.agency.orchestration.webhook;

import ai.agency.common.error.AgencyException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code Agency-Signature} header of a delivery, Stripe's scheme: {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>" under the secret>}, with several {@code v1=} allowed (a sender signs with the old and the new
 * secret while one rotates). Signatures are compared in constant time.
 */
record WebhookSignature(long timestamp, List<byte[]> signatures) {

    static final String HEADER = "Agency-Signature";

    /** The header parsed; a 401 problem when it is missing or malformed (no {@code t}, no {@code v1}). */
    static WebhookSignature parse(String header) {
        if (header == null || header.isBlank()) {
            throw refused("The " + HEADER + " header is missing");
        }
        Long t = null;
        List<byte[]> v1 = new ArrayList<>();
        for (String part : header.split(",", 32)) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = part.substring(0, eq).strip();
            String value = part.substring(eq + 1).strip();
            if (name.equals("t")) {
                try {
                    t = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw refused("The " + HEADER + " header's t is not a number of seconds");
                }
            } else if (name.equals("v1") && value.length() == 64) {
                try {
                    v1.add(HexFormat.of().parseHex(value));
                } catch (IllegalArgumentException e) {
                    // not hex: cannot match
                }
            }
        }
        if (t == null || v1.isEmpty()) {
            throw refused("The " + HEADER + " header needs t=<unix seconds> and at least one v1=<hex HMAC-SHA256>");
        }
        return new WebhookSignature(t, v1);
    }

    /** True when one of the signatures is the HMAC of {@code "<t>.<body>"} under one of the secrets. */
    boolean matchesAny(List<byte[]> secrets, byte[] body) {
        boolean match = false;
        for (byte[] secret : secrets) {
            byte[] expected = sign(secret, timestamp, body);
            for (byte[] given : signatures) {
                match |= MessageDigest.isEqual(expected, given); // constant time; no early exit either
            }
        }
        return match;
    }

    /** Refuses (401) a timestamp more than {@code tolerance} away from {@code now}: a replayed or stale delivery. */
    void requireFresh(Instant now, Duration tolerance) {
        if (Math.abs(now.getEpochSecond() - timestamp) > tolerance.toSeconds()) {
            throw refused("The signature's timestamp t is more than " + tolerance.toSeconds()
                    + " s away from the platform's clock (a replayed or delayed delivery); sign it again");
        }
    }

    /** HMAC-SHA256 of {@code "<t>.<body>"} under the secret: what a sender computes. */
    static byte[] sign(byte[] secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    static AgencyException refused(String detail) {
        return AgencyException.unauthenticated(detail);
    }
}
