package ai.agency.auth.key;

import ai.agency.auth.AuthProperties;
import ai.agency.common.crypto.SecretSealer;
import org.springframework.stereotype.Component;

/**
 * Seals auth-service's signing keys at rest under {@code AGENCY_MASTER_KEY}. Without one the service refuses to
 * start, unless {@code agency.auth.allow-insecure-development-master-key} asks for the constant development key
 * (refused anyway under {@code agency.auth.require-master-key}, the {@code prod} profile).
 */
@Component
public class MasterKey extends SecretSealer {

    public MasterKey(AuthProperties properties) {
        super(properties.masterKey(), properties.developmentKey(), "a stored signing key");
    }
}
