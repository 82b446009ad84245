package ai.agency.tool.registry;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A registered tool as stored. {@code sealedHeaders} and {@code sealedSecret} are AES-GCM ciphertexts (HTTP tools
 * only) and never leave the service. Tools imported from an external MCP server ({@code source = mcp}) name that
 * server ({@code mcpServer}) and their own name there ({@code remoteName}).
 */
public record Tool(
        String name,
        String description,
        JsonNode parameters,
        String source,
        boolean enabled,
        boolean write,
        int timeoutMs,
        @Nullable String endpoint,
        @Nullable String method,
        byte @Nullable [] sealedHeaders,
        byte @Nullable [] sealedSecret,
        @Nullable String mcpServer,
        @Nullable String remoteName) {

    public static final String BUILTIN = "builtin";
    public static final String HTTP = "http";
    public static final String MCP = "mcp";
}
