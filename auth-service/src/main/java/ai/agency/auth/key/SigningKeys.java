package ai.agency.auth.key;

import ai.agency.auth.AuthProperties;
import ai.agency.common.crypto.MasterKey;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.Jwks;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The ES256 signing keys: one active key signs new tokens; retired keys stay published in the JWKS until every
 * token they signed has expired. Private keys are kept encrypted under the {@link MasterKey}.
 */
@Component
public class SigningKeys {

    private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

    /** A usable key: its id, private half (for signing) and public half (for the JWKS). */
    public record SigningKey(String kid, PrivateKey privateKey, ECPublicKey publicKey) {}

    private final JdbcClient jdbc;
    private final MasterKey masterKey;
    private final AuthProperties properties;
    private volatile @Nullable SigningKey active;
    /** When this replica last checked that its cached active key is still the database's active key. */
    private volatile long activeCheckedAt;

    /**
     * How often a replica re-reads which key is active, so that a rotation done by another replica is picked up.
     * Shorter than the 60 s by which a retired key outlives its last possible token.
     */
    private static final long ACTIVE_RECHECK_MILLIS = 30_000;

    public SigningKeys(JdbcClient jdbc, MasterKey masterKey, AuthProperties properties) {
        this.jdbc = jdbc;
        this.masterKey = masterKey;
        this.properties = properties;
    }

    /**
     * Loads (or creates) the active key at start-up, so that a wrong {@code AGENCY_MASTER_KEY} stops the service
     * with a clear message instead of failing every login later.
     */
    @EventListener(ApplicationStartedEvent.class)
    void verifyActiveKey() {
        active();
    }

    /** The key that signs new tokens; created on first use. */
    public SigningKey active() {
        SigningKey current = active;
        if (current != null && System.currentTimeMillis() - activeCheckedAt > ACTIVE_RECHECK_MILLIS) {
            activeCheckedAt = System.currentTimeMillis();
            String kid = jdbc.sql(
                            "SELECT kid FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1")
                    .query(String.class)
                    .optional()
                    .orElse(null);
            if (kid != null && !kid.equals(current.kid())) {
                synchronized (this) {
                    active = null;
                }
                current = null;
            }
        }
        if (current == null) {
            synchronized (this) {
                if (active == null) {
                    active = loadOrCreateActive();
                    activeCheckedAt = System.currentTimeMillis();
                }
                current = active;
            }
        }
        return current;
    }

    /** Makes a new key active; the old one stays published until its last token has expired. */
    @Transactional
    public synchronized SigningKey rotate() {
        lockKeys();
        Instant now = Instant.now();
        jdbc.sql("UPDATE signing_keys SET retired_at = :now, expires_at = :expires WHERE retired_at IS NULL")
                .param("now", java.sql.Timestamp.from(now))
                .param(
                        "expires",
                        java.sql.Timestamp.from(
                                now.plus(properties.accessTokenTtl()).plusSeconds(60)))
                .update();
        active = create();
        log.info("Signing key rotated: new kid {}", active.kid());
        return active;
    }

    /**
     * Takes the transaction-scoped lock that serialises rotations across replicas, then answers whether the active
     * key was created longer than {@code age} ago.
     */
    @Transactional
    public boolean lockAndCheckActiveOlderThan(java.time.Duration age) {
        lockKeys();
        active(); // make sure there is an active key
        return jdbc.sql("SELECT count(*) FROM signing_keys WHERE retired_at IS NULL "
                                + "AND created_at < now() - make_interval(secs => :age)")
                        .param("age", (double) age.toSeconds())
                        .query(Long.class)
                        .single()
                > 0;
    }

    private void lockKeys() {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('auth.signing_keys'))")
                .query()
                .rowSet();
    }

    /** Public keys that verify tokens still alive: the active key and retired keys not yet expired. */
    public List<ECPublicKey> publishedKeys(List<String> kids) {
        List<ECPublicKey> keys = new ArrayList<>();
        jdbc.sql(
                        "SELECT kid, public_key FROM signing_keys WHERE expires_at IS NULL OR expires_at > now() ORDER BY created_at DESC")
                .query((rs, n) -> Map.entry(rs.getString("kid"), rs.getBytes("public_key")))
                .list()
                .forEach(e -> {
                    kids.add(e.getKey());
                    keys.add(publicKey(e.getValue()));
                });
        return keys;
    }

    /** The JWK set (RFC 7517) of the published keys. */
    public Map<String, Object> jwks() {
        active(); // make sure there is a key to publish
        List<String> kids = new ArrayList<>();
        List<ECPublicKey> keys = publishedKeys(kids);
        List<Map<String, Object>> jwks = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            Jwk<?> jwk = Jwks.builder()
                    .key(keys.get(i))
                    .id(kids.get(i))
                    .algorithm("ES256")
                    .publicKeyUse("sig")
                    .build();
            jwks.add(Map.copyOf(jwk));
        }
        return Map.of("keys", jwks);
    }

    private SigningKey loadOrCreateActive() {
        return jdbc.sql("SELECT kid, public_key, private_key_enc FROM signing_keys WHERE retired_at IS NULL "
                        + "ORDER BY created_at DESC LIMIT 1")
                .query((rs, n) -> new SigningKey(
                        rs.getString("kid"),
                        privateKey(masterKey.decrypt(rs.getBytes("private_key_enc"))),
                        publicKey(rs.getBytes("public_key"))))
                .optional()
                .orElseGet(this::create);
    }

    private SigningKey create() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            String kid = UUID.randomUUID().toString();
            jdbc.sql("INSERT INTO signing_keys (kid, public_key, private_key_enc) VALUES (:kid, :pub, :priv)")
                    .param("kid", kid)
                    .param("pub", pair.getPublic().getEncoded())
                    .param("priv", masterKey.encrypt(pair.getPrivate().getEncoded()))
                    .update();
            log.info("Created signing key {}", kid);
            return new SigningKey(kid, pair.getPrivate(), (ECPublicKey) pair.getPublic());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Cannot create an ES256 key", e);
        }
    }

    private static PrivateKey privateKey(byte[] pkcs8) {
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Stored signing key is unreadable", e);
        }
    }

    private static ECPublicKey publicKey(byte[] x509) {
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(x509));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Stored public key is unreadable", e);
        }
    }
}
