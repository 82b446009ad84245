package ai.agency.tool.external;

import ai.agency.common.crypto.MasterKey;
import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.tool.http.AddressGuard;
import ai.agency.tool.http.PinnedResolver;
import ai.agency.tool.registry.Tool;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.netty.channel.ChannelOption;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ai.mcp.client.webflux.transport.WebClientStreamableHttpTransport;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * MCP clients (the streamable-HTTP transport on WebClient and Reactor Netty) for the external MCP servers admins
 * registered: one initialised client per server, reused by all calls and dropped after a transport failure (the next
 * call connects again and resolves the host again). The host is resolved and checked once by the {@link AddressGuard}
 * (same rules as HTTP tools) and every connection of the client goes to those addresses ({@link PinnedResolver}), so
 * DNS rebinding cannot move it; redirects are never followed, and the server's stored headers are decrypted only here.
 */
@Component
public class McpClients implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(McpClients.class);
    private static final int MAX_LIST_PAGES = 20;

    private final McpServerRepository servers;
    private final AddressGuard guard;
    private final MasterKey masterKey;
    private final JsonMapper json;
    private final Map<String, McpSyncClient> clients = new ConcurrentHashMap<>();

    McpClients(McpServerRepository servers, AddressGuard guard, MasterKey masterKey, JsonMapper json) {
        this.servers = servers;
        this.guard = guard;
        this.masterKey = masterKey;
        this.json = json;
    }

    /** Runs an imported tool on its server; the answer's data, or a classified {@link AgencyException}. */
    public JsonNode call(Tool tool, JsonNode parameters) {
        String serverName = Objects.requireNonNull(tool.mcpServer()); // an imported tool names its server
        McpServerRepository.Server server =
                servers.find(serverName).orElseThrow(() -> AgencyException.notFound("MCP server", serverName));
        McpSchema.CallToolRequest request = new McpSchema.CallToolRequest(
                tool.remoteName(), json.convertValue(parameters, new TypeReference<Map<String, Object>>() {}));
        return data(server.name(), withClient(server, client -> client.callTool(request)));
    }

    /** All tools the server offers (following {@code nextCursor}). */
    List<McpSchema.Tool> listTools(McpServerRepository.Server server) {
        return withClient(server, client -> {
            List<McpSchema.Tool> tools = new ArrayList<>();
            String cursor = null;
            for (int page = 0; page < MAX_LIST_PAGES; page++) {
                McpSchema.ListToolsResult result = cursor == null ? client.listTools() : client.listTools(cursor);
                tools.addAll(result.tools());
                cursor = result.nextCursor();
                if (cursor == null || cursor.isEmpty()) {
                    break;
                }
            }
            return tools;
        });
    }

    /**
     * Runs {@code action} with the server's client. A transport failure drops the client, so the next call connects
     * again (after the server restarted, the first call may fail; the next one works) — but not a timeout or an
     * interrupted call (the executor's deadline), which says nothing about the connection other calls share.
     */
    private <T> T withClient(McpServerRepository.Server server, Function<McpSyncClient, T> action) {
        McpSyncClient client = client(server);
        try {
            return action.apply(client);
        } catch (McpError e) {
            throw fromJsonRpc(server.name(), e);
        } catch (RuntimeException e) {
            if (!Thread.currentThread().isInterrupted() && !causedBy(e, TimeoutException.class)) {
                evict(server.name(), client);
            }
            throw unreachable(server.name(), e);
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        Throwable c = t;
        for (int depth = 0; c != null && depth < 20; depth++, c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** Closes and forgets the client of {@code server} (deleted, or failed). */
    void forget(String server) {
        McpSyncClient client = clients.remove(server);
        if (client != null) {
            closeQuietly(client);
        }
    }

    private McpSyncClient client(McpServerRepository.Server server) {
        McpSyncClient existing = clients.get(server.name());
        if (existing != null) {
            return existing;
        }
        McpSyncClient created = connect(server);
        McpSyncClient raced = clients.putIfAbsent(server.name(), created);
        if (raced != null) {
            closeQuietly(created);
            return raced;
        }
        return created;
    }

    private McpSyncClient connect(McpServerRepository.Server server) {
        URI url = URI.create(server.url());
        List<InetAddress> addresses = guard.resolve(url, "url");
        Map<String, String> headers = headers(server);
        String base = url.getScheme() + "://" + url.getRawAuthority();
        String endpoint = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        // every connection of this client, also the ones it opens later, goes to the addresses checked now
        HttpClient http = HttpClient.create()
                .resolver(new PinnedResolver(url, addresses))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .followRedirect(false);
        WebClient.Builder web = WebClient.builder()
                .baseUrl(base)
                .clientConnector(new ReactorClientHttpConnector(http))
                .defaultHeaders(h -> headers.forEach(h::set));
        WebClientStreamableHttpTransport transport =
                WebClientStreamableHttpTransport.builder(web).endpoint(endpoint).build();
        Duration timeout = Duration.ofMillis(server.timeoutMs() + 1_000L); // the executor's deadline fires first
        McpSyncClient client = McpClient.sync(transport)
                .requestTimeout(timeout)
                .initializationTimeout(timeout)
                .clientInfo(new McpSchema.Implementation("agency-tool-service", "0.1.0"))
                .build();
        try {
            client.initialize();
        } catch (McpError e) {
            closeQuietly(client);
            throw fromJsonRpc(server.name(), e);
        } catch (RuntimeException e) {
            closeQuietly(client);
            throw unreachable(server.name(), e);
        }
        log.info("Connected to MCP server {} at {}", server.name(), url.getHost());
        return client;
    }

    private Map<String, String> headers(McpServerRepository.Server server) {
        if (server.sealedHeaders() == null) {
            return Map.of();
        }
        return json.readValue(masterKey.decrypt(server.sealedHeaders()), new TypeReference<Map<String, String>>() {});
    }

    /**
     * The data of a result: {@code structuredContent} when there is one, else the text content (parsed when it is
     * JSON, else {@code {"text": ...}}), with non-text content under {@code content}. An {@code isError} result is a
     * failure: its {@code errorType} when the server gives one of ours (another Agency tool-service), else
     * {@code internal}, with the server's text as message.
     */
    private JsonNode data(String server, McpSchema.CallToolResult result) {
        List<McpSchema.Content> content = result.content() == null ? List.of() : result.content();
        String text = content.stream()
                .filter(c -> c instanceof McpSchema.TextContent)
                .map(c -> ((McpSchema.TextContent) c).text())
                .collect(Collectors.joining("\n"));
        if (Boolean.TRUE.equals(result.isError())) {
            ErrorType type = ErrorType.INTERNAL;
            if (result.structuredContent() instanceof Map<?, ?> structured
                    && structured.get("errorType") instanceof String code) {
                for (ErrorType candidate : ErrorType.values()) {
                    if (candidate.code().equals(code)) {
                        type = candidate;
                    }
                }
            }
            String message = text.isBlank() ? "the MCP server " + server + " reported an error" : text;
            throw new AgencyException(type, message.length() > 1000 ? message.substring(0, 1000) + "…" : message);
        }
        if (result.structuredContent() != null) {
            return json.valueToTree(result.structuredContent());
        }
        List<McpSchema.Content> other = content.stream()
                .filter(c -> !(c instanceof McpSchema.TextContent))
                .toList();
        if (other.isEmpty()) {
            try {
                return json.readTree(text);
            } catch (JacksonException notJson) {
                // plain text
            }
        }
        ObjectNode data = json.createObjectNode();
        data.put("text", text);
        if (!other.isEmpty()) {
            data.set("content", json.valueToTree(other));
        }
        return data;
    }

    /** A JSON-RPC error answered by the server: its code says whose fault it is. */
    private static AgencyException fromJsonRpc(String server, McpError e) {
        Integer code = e.getJsonRpcError() == null ? null : e.getJsonRpcError().code();
        String detail =
                e.getJsonRpcError() == null ? "error" : e.getJsonRpcError().message();
        ErrorType type;
        if (code != null && code == McpSchema.ErrorCodes.INVALID_PARAMS) {
            type = ErrorType.VALIDATION;
        } else if (code != null && code == McpSchema.ErrorCodes.METHOD_NOT_FOUND) {
            type = ErrorType.NOT_FOUND;
        } else {
            type = ErrorType.INTERNAL;
        }
        return new AgencyException(type, "the MCP server " + server + " answered: " + detail);
    }

    /** The server could not be reached or did not speak MCP: a classified, recoverable failure — never a 500. */
    private static AgencyException unreachable(String server, RuntimeException e) {
        if (e instanceof AgencyException agency) {
            return agency;
        }
        ErrorType type = ErrorClassifier.classify(e);
        if (!type.recoverable()) {
            type = ErrorType.NETWORK;
        }
        Throwable root = McpError.findRootCause(e);
        return new AgencyException(
                type,
                type.status(),
                "the MCP server " + server + " could not be reached or did not answer as an MCP server ("
                        + root.getClass().getSimpleName() + ")",
                List.of(),
                e);
    }

    private void evict(String server, McpSyncClient client) {
        if (clients.remove(server, client)) {
            closeQuietly(client);
        }
    }

    private static void closeQuietly(McpSyncClient client) {
        try {
            client.close();
        } catch (RuntimeException e) {
            log.debug("Closing an MCP client failed: {}", e.toString());
        }
    }

    @Override
    public void destroy() {
        clients.values().forEach(McpClients::closeQuietly);
        clients.clear();
    }
}
