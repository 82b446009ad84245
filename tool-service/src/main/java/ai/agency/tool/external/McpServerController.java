package ai.agency.tool.external;

import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Admins' management of external MCP servers whose tools are imported into the registry. */
@RestController
class McpServerController {

    private final ExternalMcpServers servers;

    McpServerController(ExternalMcpServers servers) {
        this.servers = servers;
    }

    @PostMapping("/api/v1/tools/mcp-servers")
    @ResponseStatus(HttpStatus.CREATED)
    ExternalMcpServers.ServerView register(@Valid @RequestBody RegisterMcpServerRequest request, Caller caller) {
        return servers.register(caller, request);
    }

    @GetMapping("/api/v1/tools/mcp-servers")
    Page<ExternalMcpServers.ServerView> list(Caller caller) {
        return Page.all(servers.list(caller));
    }

    @GetMapping("/api/v1/tools/mcp-servers/{name}")
    ExternalMcpServers.ServerView get(@PathVariable String name, Caller caller) {
        return servers.get(caller, name);
    }

    @PostMapping("/api/v1/tools/mcp-servers/{name}/refresh")
    ExternalMcpServers.ServerView refresh(@PathVariable String name, Caller caller) {
        return servers.refresh(caller, name);
    }

    @DeleteMapping("/api/v1/tools/mcp-servers/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String name, Caller caller) {
        servers.delete(caller, name);
    }
}
