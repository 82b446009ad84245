package ai.agency.tool.external;

import ai.agency.common.accountdata.AccountData;
import ai.agency.tool.registry.ToolRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The external MCP servers a user (an admin) registered, for the account-data export and erasure: exported as admins
 * see them (header names, never values); erased with their imported tools, their clients closed.
 */
@Component
class McpServersAccountData implements AccountData {

    static final String KIND = "mcp_servers";

    private final McpServerRepository servers;
    private final ExternalMcpServers external;
    private final McpClients clients;
    private final ToolRegistry registry;

    McpServersAccountData(
            McpServerRepository servers, ExternalMcpServers external, McpClients clients, ToolRegistry registry) {
        this.servers = servers;
        this.external = external;
        this.clients = clients;
        this.registry = registry;
    }

    @Override
    public List<String> kinds() {
        return List.of(KIND);
    }

    @Override
    public void export(UUID userId, String kind, RecordSink sink) throws IOException {
        for (McpServerRepository.Server server : servers.findCreatedBy(userId)) {
            sink.write(external.view(server, null));
        }
    }

    @Override
    @Transactional
    public Map<String, Long> erase(UUID userId) {
        List<String> deleted = servers.deleteCreatedBy(userId);
        for (String name : deleted) {
            clients.forget(name);
            registry.changed(name);
        }
        return Map.of(KIND, (long) deleted.size());
    }
}
