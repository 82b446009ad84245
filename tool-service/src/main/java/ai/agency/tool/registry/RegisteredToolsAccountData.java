package ai.agency.tool.registry;

import ai.agency.common.accountdata.AccountData;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The HTTP tools a user (an admin) registered, for the account-data export and erasure: exported as admins see them
 * (endpoint, method and header names, never header values or the signing secret); erased with the account, and
 * the MCP server's tool list follows.
 */
@Component
class RegisteredToolsAccountData implements AccountData {

    static final String KIND = "tools";

    private final ToolRepository tools;
    private final ToolRegistry registry;

    RegisteredToolsAccountData(ToolRepository tools, ToolRegistry registry) {
        this.tools = tools;
        this.registry = registry;
    }

    @Override
    public List<String> kinds() {
        return List.of(KIND);
    }

    @Override
    public void export(UUID userId, String kind, RecordSink sink) throws IOException {
        for (Tool tool : tools.findHttpCreatedBy(userId)) {
            sink.write(registry.view(tool, true));
        }
    }

    @Override
    @Transactional
    public Map<String, Long> erase(UUID userId) {
        List<String> deleted = tools.deleteHttpCreatedBy(userId);
        deleted.forEach(registry::changed);
        return Map.of(KIND, (long) deleted.size());
    }
}
