package ai.agency.auth.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.auth.AuthProperties;
import ai.agency.common.crypto.MasterKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class MasterKeyTest {

    private static final String KEY_A = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String KEY_B =
            Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

    private static AuthProperties properties(String masterKey, boolean required) {
        return AuthProperties.of(masterKey, required, Duration.ofMinutes(15), "");
    }

    @Test
    void refusesToStartWithoutAKeyWhenOneIsRequired() {
        assertThatThrownBy(() -> new MasterKey(properties("", true)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("AGENCY_MASTER_KEY is not set");
        assertThatThrownBy(() -> new MasterKey(properties("   ", true)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("AGENCY_MASTER_KEY is not set");
    }

    @Test
    void refusesAKeyThatIsNot32Bytes() {
        String sixteenBytes = Base64.getEncoder().encodeToString(new byte[16]);
        String thirtyThreeBytes = Base64.getEncoder().encodeToString(new byte[33]);

        assertThatThrownBy(() -> new MasterKey(properties(sixteenBytes, true)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("32 bytes")
                .hasMessageContaining("16");
        assertThatThrownBy(() -> new MasterKey(properties(thirtyThreeBytes, false)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("32 bytes");
    }

    @Test
    void refusesAKeyThatIsNotBase64() {
        assertThatThrownBy(() -> new MasterKey(properties("not base64 at all!", false)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("base64");
    }

    @Test
    void aServiceWithoutMasterKeyRefusesToStartOutsideProductionToo() {
        // before: outside the prod profile an empty key silently became the constant development key, so a database
        // login was enough to decrypt the signing keys and forge any token
        assertThatThrownBy(() -> new MasterKey(properties("", false)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("AGENCY_MASTER_KEY is not set")
                .hasMessageContaining("a stored signing key")
                .hasMessageContaining("AGENCY_ALLOW_INSECURE_DEVELOPMENT_MASTER_KEY");
    }

    @Test
    void theDevelopmentKeyIsUsedOnlyWhenTheInsecureSettingAsksForItByName() {
        MasterKey key = new MasterKey(bound(Map.of("agency.auth.allow-insecure-development-master-key", "true")));
        byte[] plain = "secret".getBytes(StandardCharsets.UTF_8);

        assertThat(key.decrypt(key.encrypt(plain))).isEqualTo(plain);
    }

    @Test
    void theProdProfileRefusesTheDevelopmentKeyEvenWhenTheInsecureSettingAsksForIt() {
        AuthProperties prod = bound(Map.of(
                "agency.auth.allow-insecure-development-master-key", "true",
                "agency.auth.require-master-key", "true"));

        assertThatThrownBy(() -> new MasterKey(prod))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("AGENCY_MASTER_KEY is not set");
    }

    /** Settings as Spring binds them (defaults for everything not named). */
    private static AuthProperties bound(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate("agency.auth", AuthProperties.class);
    }

    @Test
    void encryptionRoundTripsAndNeverRevealsThePlainText() {
        MasterKey key = new MasterKey(properties(KEY_A, true));
        byte[] plain = "a private key, say".getBytes(StandardCharsets.UTF_8);

        byte[] sealed = key.encrypt(plain);
        byte[] sealedAgain = key.encrypt(plain);

        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("a private key");
        assertThat(sealed).isNotEqualTo(sealedAgain); // a fresh IV each time
        assertThat(key.decrypt(sealed)).isEqualTo(plain);
        assertThat(key.decrypt(sealedAgain)).isEqualTo(plain);
    }

    @Test
    void decryptingWithAnotherKeyFails() {
        byte[] sealed = new MasterKey(properties(KEY_A, true)).encrypt(new byte[] {1, 2, 3});

        assertThatThrownBy(() -> new MasterKey(properties(KEY_B, true)).decrypt(sealed))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("AGENCY_MASTER_KEY differs");
    }

    @Test
    void aTamperedCiphertextIsRefused() {
        MasterKey key = new MasterKey(properties(KEY_A, true));
        byte[] sealed = key.encrypt(new byte[] {1, 2, 3, 4});
        sealed[sealed.length - 1] ^= 1;

        assertThatThrownBy(() -> key.decrypt(sealed)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void accessTokensMayNotLiveLongerThan15Minutes() {
        assertThatThrownBy(() -> AuthProperties.of(KEY_A, false, Duration.ofMinutes(16), ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("access-token-ttl");
    }
}
