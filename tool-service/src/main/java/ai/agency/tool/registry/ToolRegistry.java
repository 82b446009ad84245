package ai.agency.tool.registry;

import ai.agency.common.crypto.MasterKey;
import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import ai.agency.tool.ToolProperties;
import ai.agency.tool.builtin.BuiltinTool;
import ai.agency.tool.http.AddressGuard;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Service;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The registry: built-ins stored at start, HTTP tools registered and deleted by admins. */
@Service
public class ToolRegistry implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(ToolRegistry.class);
    private static final Set<String> HEADERS_WE_SET = Set.of(
            "host",
            "content-length",
            "content-type",
            "accept",
            "connection",
            "transfer-encoding",
            "expect",
            "upgrade",
            "x-agency-signature",
            "x-agency-timestamp",
            "x-agency-tool",
            "x-agency-user");

    private final ToolRepository tools;
    private final Map<String, BuiltinTool> builtins = new TreeMap<>();
    private final ParameterValidator validator;
    private final AddressGuard guard;
    private final MasterKey masterKey;
    private final ToolProperties properties;
    private final JsonMapper json;
    private final SecureRandom random = new SecureRandom();
    private final List<Consumer<String>> changeListeners = new CopyOnWriteArrayList<>();

    ToolRegistry(
            ToolRepository tools,
            List<BuiltinTool> builtins,
            ParameterValidator validator,
            AddressGuard guard,
            MasterKey masterKey,
            ToolProperties properties,
            JsonMapper json) {
        this.tools = tools;
        builtins.forEach(b -> this.builtins.put(b.name(), b));
        this.validator = validator;
        this.guard = guard;
        this.masterKey = masterKey;
        this.properties = properties;
        this.json = json;
    }

    /** Stores (or refreshes) every built-in's definition. */
    @Override
    public void run(ApplicationArguments args) {
        builtins.values()
                .forEach(b -> tools.upsertBuiltin(new Tool(
                        b.name(),
                        b.description(),
                        json.readTree(b.parametersSchema()),
                        Tool.BUILTIN,
                        true,
                        b.write(),
                        b.timeoutMs(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null)));
        log.info("Registered {} built-in tools: {}", builtins.size(), builtins.keySet());
    }

    public List<Tool> list() {
        return tools.findAll();
    }

    public Tool get(String name) {
        return tools.find(name).orElseThrow(() -> AgencyException.notFound("Tool", name));
    }

    /** A tool the caller may see: a disabled tool does not exist for non-admins (404). */
    public Tool visible(Caller caller, String name) {
        Tool tool = get(name);
        if (!tool.enabled() && !caller.isAdmin()) {
            throw AgencyException.notFound("Tool", name);
        }
        return tool;
    }

    public BuiltinTool builtin(String name) {
        BuiltinTool builtin = builtins.get(name);
        if (builtin == null) {
            throw new IllegalStateException("No implementation of built-in tool " + name);
        }
        return builtin;
    }

    /** Called with a tool's name whenever a tool is registered or deleted (the MCP server follows the registry). */
    public void onChange(Consumer<String> listener) {
        changeListeners.add(listener);
    }

    /** Registers an HTTP tool; the answer carries its signing secret, shown only this once. */
    public ToolView register(Caller caller, RegisterToolRequest request) {
        requireAdmin(caller);
        if (builtins.containsKey(request.name())) {
            throw AgencyException.conflict("Tool " + request.name() + " already exists");
        }
        validator.checkSchema(request.parameters());
        URI endpoint = checkedEndpoint(request.endpoint());
        Map<String, String> headers = checkedHeaders(request.headers());
        int timeoutMs = request.timeoutMs() == null
                ? (int) properties.defaultTimeout().toMillis()
                : (int) Math.min(request.timeoutMs(), properties.maxTimeout().toMillis());
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Tool tool = new Tool(
                request.name(),
                request.description().strip(),
                request.parameters(),
                Tool.HTTP,
                true,
                request.write() == null || request.write(),
                timeoutMs,
                endpoint.toString(),
                request.method() == null ? "POST" : request.method(),
                headers.isEmpty() ? null : masterKey.encrypt(json.writeValueAsBytes(headers)),
                masterKey.encrypt(secretText.getBytes(StandardCharsets.UTF_8)),
                null,
                null);
        if (!tools.insert(tool, caller.id())) {
            throw AgencyException.conflict("Tool " + request.name() + " already exists");
        }
        log.info(
                "Admin {} registered HTTP tool {} -> {} {}",
                caller.id(),
                tool.name(),
                tool.method(),
                endpoint.getHost());
        changed(tool.name());
        ToolView view = view(tool, true);
        return new ToolView(
                view.name(),
                view.description(),
                view.parameters(),
                view.source(),
                view.enabled(),
                view.write(),
                view.timeoutMs(),
                view.endpoint(),
                view.method(),
                view.headerNames(),
                secretText);
    }

    /** The endpoint of an HTTP tool: a URL the address rules allow (no loopback, private or metadata address). */
    private URI checkedEndpoint(String text) {
        URI endpoint;
        try {
            endpoint = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw AgencyException.invalidField("endpoint", "is not a valid URL");
        }
        guard.check(endpoint, "endpoint");
        return endpoint;
    }

    /** Header names that are tokens and not ours to set, values without line breaks or NUL (no header injection). */
    private static Map<String, String> checkedHeaders(@Nullable Map<String, String> requested) {
        Map<String, String> headers = requested == null ? Map.of() : requested;
        for (String header : headers.keySet()) {
            if (!header.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                throw AgencyException.invalidField("headers", "'" + header + "' is not a valid header name");
            }
            if (HEADERS_WE_SET.contains(header.toLowerCase(Locale.ROOT))) {
                throw AgencyException.invalidField("headers", "'" + header + "' is set by the platform");
            }
        }
        for (String value : headers.values()) {
            if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw AgencyException.invalidField("headers", "values may not contain line breaks");
            }
        }
        return headers;
    }

    public void delete(Caller caller, String name) {
        requireAdmin(caller);
        if (builtins.containsKey(name)) {
            throw AgencyException.conflict("Built-in tool " + name + " cannot be deleted");
        }
        tools.find(name).filter(t -> Tool.MCP.equals(t.source())).ifPresent(t -> {
            throw AgencyException.conflict("Tool " + name + " was imported from MCP server " + t.mcpServer()
                    + ": disable it, or delete the server");
        });
        if (!tools.deleteRegistered(name)) {
            throw AgencyException.notFound("Tool", name);
        }
        log.info("Admin {} deleted tool {}", caller.id(), name);
        changed(name);
    }

    /** Enables or disables a tool (admins); a disabled tool is hidden from non-admins and from the MCP server. */
    public ToolView setEnabled(Caller caller, String name, boolean enabled) {
        if (!caller.isAdmin()) {
            throw AgencyException.forbidden("Only admins may enable or disable tools");
        }
        if (!tools.setEnabled(name, enabled)) {
            throw AgencyException.notFound("Tool", name);
        }
        log.info("Admin {} {} tool {}", caller.id(), enabled ? "enabled" : "disabled", name);
        changed(name);
        return view(get(name), true);
    }

    /** Stores the tools imported from MCP server {@code server} (replacing its previous ones) and announces them. */
    public void replaceMcpTools(String server, List<Tool> imported) {
        tools.replaceMcpTools(server, imported);
        changed(server);
    }

    /** Tells the listeners that tools changed (e.g. an MCP server and with it its tools were deleted). */
    public void changed(String what) {
        changeListeners.forEach(l -> l.accept(what));
    }

    /** Whether a tool of that name exists that is not imported from MCP server {@code server}. */
    public boolean nameTakenOutside(String name, String server) {
        return builtins.containsKey(name)
                || tools.find(name).filter(t -> !server.equals(t.mcpServer())).isPresent();
    }

    public ToolView view(Tool tool, boolean admin) {
        List<String> headerNames = null;
        if (admin && Tool.HTTP.equals(tool.source())) {
            headerNames = tool.sealedHeaders() == null
                    ? List.of()
                    : new ArrayList<>(json.readValue(
                                    masterKey.decrypt(tool.sealedHeaders()),
                                    new TypeReference<Map<String, String>>() {})
                            .keySet());
        }
        return new ToolView(
                tool.name(),
                tool.description(),
                tool.parameters(),
                tool.source(),
                tool.enabled(),
                tool.write(),
                tool.timeoutMs(),
                admin ? tool.endpoint() : null,
                admin ? tool.method() : null,
                headerNames,
                null);
    }

    private static void requireAdmin(Caller caller) {
        if (!caller.isAdmin()) {
            throw AgencyException.forbidden("Only admins may register or delete tools");
        }
    }
}
