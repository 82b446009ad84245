package ai.agency.auth.mfa;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** java-otp as used by {@link Totp}, against the test vectors of RFC 6238 Appendix B and RFC 4648. */
class TotpTest {

    private static final byte[] SEED_SHA1 = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEED_SHA256 = "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEED_SHA512 =
            "1234567890123456789012345678901234567890123456789012345678901234".getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest
    @CsvSource({
        "59,          94287082, 46119246, 90693936",
        "1111111109,  07081804, 68084774, 25091201",
        "1111111111,  14050471, 67062674, 99943326",
        "1234567890,  89005924, 91819424, 93441116",
        "2000000000,  69279037, 90698825, 38618901",
        "20000000000, 65353130, 77737706, 47863826"
    })
    void rfc6238AppendixBVectors(long time, String sha1, String sha256, String sha512) {
        long step = Totp.step(Instant.ofEpochSecond(time));

        assertThat(new Totp(8, "HmacSHA1").code(SEED_SHA1, step)).isEqualTo(sha1);
        assertThat(new Totp(8, "HmacSHA256").code(SEED_SHA256, step)).isEqualTo(sha256);
        assertThat(new Totp(8, "HmacSHA512").code(SEED_SHA512, step)).isEqualTo(sha512);
    }

    @Test
    void sixDigitCodesAreTheLastSixDigitsOfTheRfcVectors() {
        // dynamic truncation mod 10^6 instead of 10^8: the last six digits of the 8-digit vector
        assertThat(new Totp().code(SEED_SHA1, Totp.step(Instant.ofEpochSecond(1111111109))))
                .isEqualTo("081804");
    }

    @Test
    void codesOfTheStepBeforeAndAfterAreAcceptedButNotFurther() {
        Totp totp = new Totp();
        Instant now = Instant.ofEpochSecond(1_700_000_015L);
        long step = Totp.step(now);

        assertThat(totp.matchingStep(SEED_SHA1, totp.code(SEED_SHA1, step), now))
                .hasValue(step);
        assertThat(totp.matchingStep(SEED_SHA1, totp.code(SEED_SHA1, step - 1), now))
                .hasValue(step - 1);
        assertThat(totp.matchingStep(SEED_SHA1, totp.code(SEED_SHA1, step + 1), now))
                .hasValue(step + 1);
        assertThat(totp.matchingStep(SEED_SHA1, totp.code(SEED_SHA1, step - 2), now))
                .isEmpty();
        assertThat(totp.matchingStep(SEED_SHA1, totp.code(SEED_SHA1, step + 2), now))
                .isEmpty();
        assertThat(totp.matchingStep(SEED_SHA1, "12345", now)).isEmpty();
    }

    @Test
    void base32IsRfc4648WithoutPadding() {
        assertThat(Totp.base32("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXW6YTBOI");
        assertThat(new String(Totp.fromBase32("MZXW6YTBOI"), StandardCharsets.US_ASCII))
                .isEqualTo("foobar");
    }
}
