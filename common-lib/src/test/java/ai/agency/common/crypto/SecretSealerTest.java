package ai.agency.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.common.crypto.SecretSealer.DevelopmentKey;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretSealerTest {

    private static final byte[] PLAIN = "a provider's API key".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSealerWithoutMasterKeyRefusesToStartInsteadOfUsingTheWellKnownDevelopmentKey() {
        for (String missing : new String[] {null, "", "   "}) {
            assertThatThrownBy(() -> new SecretSealer(missing, DevelopmentKey.REFUSED, "a tool secret"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("AGENCY_MASTER_KEY is not set")
                    .hasMessageContaining("a tool secret")
                    .hasMessageContaining("openssl rand -base64 32")
                    .hasMessageContaining("AGENCY_ALLOW_INSECURE_DEVELOPMENT_MASTER_KEY");
        }
    }

    @Test
    void theDevelopmentKeyIsUsedOnlyWhenAllowedInsecurelyAndNeverInProduction() {
        assertThat(DevelopmentKey.of(false, false)).isEqualTo(DevelopmentKey.REFUSED);
        assertThat(DevelopmentKey.of(true, true)).isEqualTo(DevelopmentKey.REFUSED);
        assertThat(DevelopmentKey.of(false, true)).isEqualTo(DevelopmentKey.REFUSED);
        assertThat(DevelopmentKey.of(true, false)).isEqualTo(DevelopmentKey.ALLOWED_INSECURELY);

        SecretSealer development = new SecretSealer("", DevelopmentKey.ALLOWED_INSECURELY, "a tool secret");
        assertThat(development.decrypt(development.encrypt(PLAIN))).isEqualTo(PLAIN);
    }

    @Test
    void whatTheDevelopmentKeySealedIsOpenToAnyoneWhoKnowsTheSourceSoARealKeyCannotReadIt() {
        byte[] sealedWithDevelopmentKey =
                new SecretSealer("", DevelopmentKey.ALLOWED_INSECURELY, "a tool secret").encrypt(PLAIN);
        // the "attacker": another process built from the same public source, also on the development key
        assertThat(new SecretSealer(null, DevelopmentKey.ALLOWED_INSECURELY, "x").decrypt(sealedWithDevelopmentKey))
                .isEqualTo(PLAIN);

        SecretSealer real = new SecretSealer(SecretSealer.newMasterKey(), DevelopmentKey.REFUSED, "a tool secret");
        assertThatThrownBy(() -> real.decrypt(sealedWithDevelopmentKey))
                .hasMessageContaining("AGENCY_MASTER_KEY differs");
    }

    @Test
    void newMasterKeysAreRandom32ByteKeys() {
        String one = SecretSealer.newMasterKey();
        String two = SecretSealer.newMasterKey();

        assertThat(one).isNotEqualTo(two);
        assertThat(java.util.Base64.getDecoder().decode(one)).hasSize(32);
        SecretSealer sealer = new SecretSealer(one, DevelopmentKey.REFUSED, "x");
        assertThat(sealer.decrypt(sealer.encrypt(PLAIN))).isEqualTo(PLAIN);
    }
}
