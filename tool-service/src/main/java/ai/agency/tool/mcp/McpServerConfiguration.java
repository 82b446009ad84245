package ai.agency.tool.mcp;

import ai.agency.common.security.Caller;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import java.util.Map;
import org.springframework.ai.mcp.customizer.McpSyncServerCustomizer;
import org.springframework.ai.mcp.server.common.autoconfigure.properties.McpServerStreamableHttpProperties;
import org.springframework.ai.mcp.server.webmvc.transport.WebMvcStreamableServerTransportProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.servlet.function.ServerRequest;
import tools.jackson.databind.json.JsonMapper;

/**
 * The MCP server's transport: Spring AI's streamable-HTTP transport at {@code spring.ai.mcp.server.streamable-http.
 * mcp-endpoint} ({@code /mcp}), as its auto-configuration builds it, plus a context extractor that carries the
 * authenticated {@link Caller} of each HTTP request into the MCP handlers ({@link McpToolBridge}). The extractor runs
 * on the servlet thread of every POST/GET/DELETE to {@code /mcp}, after common-lib's resource-server security has
 * checked the bearer token, so the identity always comes from the request's own token — never from the MCP session.
 */
@Configuration(proxyBeanMethods = false)
class McpServerConfiguration {

    /** Key of the {@link Caller} in the {@link McpTransportContext}. */
    static final String CALLER = "agency.caller";

    @Bean
    WebMvcStreamableServerTransportProvider webMvcStreamableServerTransportProvider(
            @Qualifier("mcpServerJsonMapper") JsonMapper mcpJson, McpServerStreamableHttpProperties properties) {
        return WebMvcStreamableServerTransportProvider.builder()
                .jsonMapper(new JacksonMcpJsonMapper(mcpJson))
                .mcpEndpoint(properties.getMcpEndpoint())
                .keepAliveInterval(properties.getKeepAliveInterval())
                .disallowDelete(properties.isDisallowDelete())
                .contextExtractor(McpServerConfiguration::callerOf)
                .build();
    }

    /**
     * Replaces Spring AI's servlet customizer (hence {@code @Primary}; the auto-configuration takes one): handlers run
     * on the request's own thread as there ({@code immediateExecution}), and the SDK's own input validation is off —
     * {@link ai.agency.tool.execution.ToolExecutor} validates with the same validator, messages and execution log as
     * the REST API.
     */
    @Bean
    @Primary
    McpSyncServerCustomizer agencyMcpServerCustomizer() {
        return spec -> spec.immediateExecution(true).validateToolInputs(false);
    }

    static McpTransportContext callerOf(ServerRequest request) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication instanceof JwtAuthenticationToken token) {
            try {
                return McpTransportContext.create(Map.of(CALLER, Caller.of(token.getToken())));
            } catch (RuntimeException e) {
                return McpTransportContext.EMPTY; // a subject that is not a user id: the handlers refuse
            }
        }
        return McpTransportContext.EMPTY;
    }
}
