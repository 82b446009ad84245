package ai.agency.auth.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.auth.AuthApiTest;
import ai.agency.auth.AuthProperties;
import ai.agency.common.crypto.MasterKey;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

class SigningKeyStorageTest extends AuthApiTest {

    @Autowired
    JdbcClient jdbc;

    record StoredKey(String kid, byte[] publicKey, byte[] privateKeyEnc) {}

    private StoredKey activeKey() {
        assertThat(get("/api/v1/auth/jwks", null).status()).isEqualTo(200); // makes sure a key exists
        List<StoredKey> keys = jdbc.sql(
                        "SELECT kid, public_key, private_key_enc FROM auth.signing_keys WHERE retired_at IS NULL")
                .query((rs, n) -> new StoredKey(rs.getString(1), rs.getBytes(2), rs.getBytes(3)))
                .list();
        assertThat(keys).hasSize(1);
        return keys.getFirst();
    }

    private static AuthProperties withMasterKey(String masterKey) {
        return AuthProperties.of(masterKey, false, Duration.ofMinutes(15), "");
    }

    @Test
    void theStoredPrivateKeyIsNotAPlainPkcs8Key() {
        StoredKey key = activeKey();

        assertThatThrownBy(() ->
                        KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(key.privateKeyEnc())))
                .isInstanceOf(InvalidKeySpecException.class);
    }

    @Test
    void theStoredPrivateKeyOpensWithTheMasterKeyAndMatchesThePublishedKey() throws Exception {
        StoredKey key = activeKey();

        byte[] pkcs8 = new MasterKey(withMasterKey(MASTER_KEY)).decrypt(key.privateKeyEnc());

        PrivateKey privateKey = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        PublicKey publicKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(key.publicKey()));
        byte[] message = "proof of possession".getBytes();
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(privateKey);
        signer.update(message);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(publicKey);
        verifier.update(message);
        assertThat(verifier.verify(signature)).isTrue();
    }

    @Test
    void theStoredPrivateKeyDoesNotOpenWithAnotherMasterKey() {
        StoredKey key = activeKey();

        assertThatThrownBy(() -> new MasterKey(withMasterKey("")).decrypt(key.privateKeyEnc()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("AGENCY_MASTER_KEY");
        assertThatThrownBy(() -> new MasterKey(withMasterKey("IAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="))
                        .decrypt(key.privateKeyEnc()))
                .isInstanceOf(IllegalStateException.class);
    }
}
