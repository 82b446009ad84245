package ai.agency.tool.http;

import ai.agency.common.crypto.SecretSealer;
import ai.agency.tool.ToolProperties;
import org.springframework.stereotype.Component;

/**
 * Seals HTTP tools' header values and signing secrets (and external MCP servers' headers) at rest under {@code
 * AGENCY_MASTER_KEY}. Without one the service refuses to start, unless {@code
 * agency.tool.allow-insecure-development-master-key} asks for the constant development key (refused anyway under
 * {@code agency.tool.require-master-key}, the {@code prod} profile).
 */
@Component
public class MasterKey extends SecretSealer {

    public MasterKey(ToolProperties properties) {
        super(
                properties.masterKey(),
                DevelopmentKey.of(properties.allowInsecureDevelopmentMasterKey(), properties.requireMasterKey()),
                "a tool secret");
    }
}
