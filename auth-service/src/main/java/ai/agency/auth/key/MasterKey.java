package ai.agency.auth.key;

import ai.agency.auth.AuthProperties;
import ai.agency.common.crypto.SecretSealer;
import org.springframework.stereotype.Component;

/**
 * Seals auth-service's signing keys at rest under {@code AGENCY_MASTER_KEY}; {@code agency.auth.require-master-key}
 * (the {@code prod} profile) makes a real key mandatory.
 */
@Component
public class MasterKey extends SecretSealer {

    public MasterKey(AuthProperties properties) {
        super(properties.masterKey(), properties.requireMasterKey(), "a stored signing key");
    }
}
