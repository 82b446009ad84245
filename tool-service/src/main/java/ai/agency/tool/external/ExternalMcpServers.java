package ai.agency.tool.external;

import ai.agency.common.crypto.MasterKey;
import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import ai.agency.tool.ToolProperties;
import ai.agency.tool.http.AddressGuard;
import ai.agency.tool.registry.ParameterValidator;
import ai.agency.tool.registry.Tool;
import ai.agency.tool.registry.ToolRegistry;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * External MCP servers registered by admins. Their tools are imported into the registry as {@code <server>__<tool>}
 * (source {@code mcp}) at registration, at every start and on demand ({@code refresh}); they are stored, so they
 * survive restarts even while the server is down, and run through {@link McpClients} under the executor's timeout,
 * circuit breaker and bulkhead like HTTP tools.
 */
@Service
public class ExternalMcpServers {

    /** Separates the server's name from the tool's in an imported tool's name. */
    public static final String SEPARATOR = "__";

    private static final Logger log = LoggerFactory.getLogger(ExternalMcpServers.class);
    private static final int MAX_NAME = 64;
    private static final Set<String> HEADERS_WE_SET = Set.of(
            "host",
            "content-length",
            "content-type",
            "accept",
            "connection",
            "transfer-encoding",
            "expect",
            "upgrade",
            "mcp-session-id",
            "mcp-protocol-version",
            "last-event-id");

    private final McpServerRepository servers;
    private final McpClients clients;
    private final ToolRegistry registry;
    private final ParameterValidator validator;
    private final AddressGuard guard;
    private final MasterKey masterKey;
    private final ToolProperties properties;
    private final JsonMapper json;

    ExternalMcpServers(
            McpServerRepository servers,
            McpClients clients,
            ToolRegistry registry,
            ParameterValidator validator,
            AddressGuard guard,
            MasterKey masterKey,
            ToolProperties properties,
            JsonMapper json) {
        this.servers = servers;
        this.clients = clients;
        this.registry = registry;
        this.validator = validator;
        this.guard = guard;
        this.masterKey = masterKey;
        this.properties = properties;
        this.json = json;
    }

    /** A server as admins see it (header names only, never values). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ServerView(
            String name,
            String url,
            List<String> headerNames,
            int timeoutMs,
            List<String> tools,
            @Nullable Instant refreshedAt,
            @Nullable String lastError,
            @Nullable List<String> skipped) {}

    public ServerView register(Caller caller, RegisterMcpServerRequest request) {
        requireAdmin(caller);
        URI url;
        try {
            url = new URI(request.url().trim());
        } catch (URISyntaxException e) {
            throw AgencyException.invalidField("url", "is not a valid URL");
        }
        guard.check(url, "url");
        Map<String, String> headers = request.headers() == null ? Map.of() : request.headers();
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (!header.getKey().matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                throw AgencyException.invalidField("headers", "'" + header.getKey() + "' is not a valid header name");
            }
            if (HEADERS_WE_SET.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                throw AgencyException.invalidField("headers", "'" + header.getKey() + "' is set by the platform");
            }
            if (header.getValue().chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw AgencyException.invalidField("headers", "values may not contain line breaks");
            }
        }
        int timeoutMs = request.timeoutMs() == null
                ? (int) properties.defaultTimeout().toMillis()
                : (int) Math.min(request.timeoutMs(), properties.maxTimeout().toMillis());
        McpServerRepository.Server server = new McpServerRepository.Server(
                request.name(),
                url.toString(),
                headers.isEmpty() ? null : masterKey.encrypt(json.writeValueAsBytes(headers)),
                timeoutMs,
                Instant.now(),
                null,
                null);
        if (!servers.insert(server, caller.id())) {
            throw AgencyException.conflict("MCP server " + request.name() + " already exists");
        }
        try {
            List<String> skipped = importTools(server);
            log.info("Admin {} registered MCP server {} at {}", caller.id(), server.name(), url.getHost());
            return view(servers.find(server.name()).orElseThrow(), skipped);
        } catch (RuntimeException e) {
            // nothing is kept of a server we could not import from: the admin sees why at once
            servers.delete(server.name());
            clients.forget(server.name());
            throw e;
        }
    }

    public List<ServerView> list(Caller caller) {
        requireAdmin(caller);
        return servers.findAll().stream().map(s -> view(s, null)).toList();
    }

    public ServerView get(Caller caller, String name) {
        requireAdmin(caller);
        return view(find(name), null);
    }

    /** Imports the server's tools again (new ones added, gone ones removed); a failure is recorded and answered. */
    public ServerView refresh(Caller caller, String name) {
        requireAdmin(caller);
        McpServerRepository.Server server = find(name);
        List<String> skipped = importTools(server);
        return view(find(name), skipped);
    }

    public void delete(Caller caller, String name) {
        requireAdmin(caller);
        if (!servers.delete(name)) {
            throw AgencyException.notFound("MCP server", name);
        }
        clients.forget(name);
        registry.changed(name);
        log.info("Admin {} deleted MCP server {} and its tools", caller.id(), name);
    }

    /** At start, every server's tools are imported again in the background; the stored ones serve meanwhile. */
    @EventListener(ApplicationReadyEvent.class)
    void refreshAllInBackground() {
        Thread.ofVirtual().name("mcp-import").start(this::refreshAll);
    }

    /**
     * Imports every server's tools again; a server that fails keeps its stored tools and records the error in
     * {@code lastError}. Returns how many servers were refreshed successfully.
     */
    public int refreshAll() {
        int refreshed = 0;
        for (McpServerRepository.Server server : servers.findAll()) {
            try {
                importTools(server);
                refreshed++;
            } catch (RuntimeException e) {
                log.warn("Could not refresh the tools of MCP server {}: {}", server.name(), e.getMessage());
            }
        }
        return refreshed;
    }

    /** Lists the server's tools and stores them; returns the tools it had to skip, with the reason. */
    private List<String> importTools(McpServerRepository.Server server) {
        List<McpSchema.Tool> offered;
        try {
            offered = clients.listTools(server);
        } catch (RuntimeException e) {
            servers.recordRefresh(server.name(), e.getMessage());
            throw e;
        }
        List<Tool> imported = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (McpSchema.Tool remote : offered) {
            String name = localName(server.name(), remote.name());
            if (!names.add(name) || registry.nameTakenOutside(name, server.name())) {
                skipped.add(remote.name() + ": the name " + name + " is taken");
                continue;
            }
            JsonNode schema = schema(remote);
            try {
                validator.checkSchema(schema);
            } catch (AgencyException e) {
                skipped.add(remote.name() + ": its input schema " + e.getMessage());
                continue;
            }
            String description = firstNonBlank(remote.description(), remote.title(), remote.name());
            boolean readOnly = remote.annotations() != null
                    && Boolean.TRUE.equals(remote.annotations().readOnlyHint());
            imported.add(new Tool(
                    name,
                    description.length() > 1000 ? description.substring(0, 1000) : description,
                    schema,
                    Tool.MCP,
                    true,
                    !readOnly,
                    server.timeoutMs(),
                    null,
                    null,
                    null,
                    null,
                    server.name(),
                    remote.name()));
        }
        registry.replaceMcpTools(server.name(), imported);
        servers.recordRefresh(server.name(), null);
        if (!skipped.isEmpty()) {
            log.warn("MCP server {}: skipped {}", server.name(), skipped);
        }
        log.info("Imported {} tools from MCP server {}", imported.size(), server.name());
        return skipped;
    }

    /** {@code <server>__<tool>}, the tool's name lower-cased with anything but a-z, 0-9 and _ made _, ≤ 64 chars. */
    static String localName(String server, String remote) {
        String cleaned = remote.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        String name = server + SEPARATOR + cleaned;
        return name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name;
    }

    private JsonNode schema(McpSchema.Tool remote) {
        JsonNode schema =
                remote.inputSchema() == null ? json.createObjectNode() : json.valueToTree(remote.inputSchema());
        if (schema instanceof ObjectNode object && !object.has("type")) {
            object.put("type", "object");
        }
        return schema;
    }

    private McpServerRepository.Server find(String name) {
        return servers.find(name).orElseThrow(() -> AgencyException.notFound("MCP server", name));
    }

    ServerView view(McpServerRepository.Server server, @Nullable List<String> skipped) {
        List<String> headerNames = server.sealedHeaders() == null
                ? List.of()
                : new ArrayList<>(json.readValue(
                                masterKey.decrypt(server.sealedHeaders()), new TypeReference<Map<String, String>>() {})
                        .keySet());
        List<String> tools = registry.list().stream()
                .filter(t -> server.name().equals(t.mcpServer()))
                .map(Tool::name)
                .toList();
        return new ServerView(
                server.name(),
                server.url(),
                headerNames,
                server.timeoutMs(),
                tools,
                server.refreshedAt(),
                server.lastError(),
                skipped);
    }

    private static String firstNonBlank(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        return "";
    }

    private static void requireAdmin(Caller caller) {
        if (!caller.isAdmin()) {
            throw AgencyException.forbidden("Only admins may manage MCP servers");
        }
    }
}
