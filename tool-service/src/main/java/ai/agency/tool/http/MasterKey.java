package ai.agency.tool.http;

import ai.agency.common.crypto.SecretSealer;
import ai.agency.tool.ToolProperties;
import org.springframework.stereotype.Component;

/**
 * Seals HTTP tools' header values and signing secrets at rest under {@code AGENCY_MASTER_KEY};
 * {@code agency.tool.require-master-key} (the {@code prod} profile) makes a real key mandatory.
 */
@Component
public class MasterKey extends SecretSealer {

    public MasterKey(ToolProperties properties) {
        super(properties.masterKey(), properties.requireMasterKey(), "a tool secret");
    }
}
