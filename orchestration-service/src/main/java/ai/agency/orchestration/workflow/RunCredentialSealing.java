package ai.agency.orchestration.workflow;

import ai.agency.common.crypto.MasterKey;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * orchestration-service's master-key settings: it seals runs' API keys ({@link RunCredentials}). No {@code
 * agency.orchestration} property names the key; it comes straight from {@code AGENCY_MASTER_KEY} and {@code
 * AGENCY_ALLOW_INSECURE_DEVELOPMENT_MASTER_KEY}, and the {@code prod} profile refuses the development key.
 */
@Component
class RunCredentialSealing implements MasterKey.Settings {

    private final String masterKey;
    private final boolean allowInsecureDevelopmentMasterKey;

    RunCredentialSealing(
            @Value("${AGENCY_MASTER_KEY:}") String masterKey,
            @Value("${AGENCY_ALLOW_INSECURE_DEVELOPMENT_MASTER_KEY:false}") boolean allowInsecureDevelopmentMasterKey) {
        this.masterKey = masterKey;
        this.allowInsecureDevelopmentMasterKey = allowInsecureDevelopmentMasterKey;
    }

    @Override
    public String masterKey() {
        return masterKey;
    }

    @Override
    public boolean allowInsecureDevelopmentMasterKey() {
        return allowInsecureDevelopmentMasterKey;
    }

    @Override
    public boolean requireMasterKey() {
        return false; // the prod profile requires one (MasterKeyAutoConfiguration)
    }

    @Override
    public String sealedWhat() {
        return "a workflow run credential";
    }
}
