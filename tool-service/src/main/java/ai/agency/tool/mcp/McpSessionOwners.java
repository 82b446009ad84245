package ai.agency.tool.mcp;

import ai.agency.common.error.ErrorType;
import ai.agency.common.error.Problems;
import ai.agency.tool.ToolProperties;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.util.List;
import org.springframework.ai.mcp.server.common.autoconfigure.properties.McpServerStreamableHttpProperties;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Binds every MCP session to the user who opened it: the session id the server hands out at {@code initialize}
 * ({@code Mcp-Session-Id}) is remembered with the token's subject, and a request that presents a session id opened
 * by someone else — or one whose owner is not known here (forgotten after {@code agency.tool.mcp-sessions.idle-timeout}
 * or beyond {@code max}, or never handed out by this instance) — is answered 404 (as for an unknown session, so the
 * client opens a new one) before the MCP transport sees it: it fails closed. Identity itself never comes from the
 * session (each request runs as its own token's user); this keeps one user from attaching to another's session
 * stream. Runs after the security filters, on {@code /mcp} only.
 */
@Component
class McpSessionOwners extends OncePerRequestFilter {

    static final String SESSION_HEADER = "Mcp-Session-Id";

    /** Session id → the subject of the token that opened it. */
    private final Cache<String, String> owners;

    private final String endpoint;

    McpSessionOwners(McpServerStreamableHttpProperties properties, ToolProperties tool) {
        this.endpoint = properties.getMcpEndpoint();
        this.owners = Caffeine.newBuilder()
                .maximumSize(tool.mcpSessions().max())
                .expireAfterAccess(tool.mcpSessions().idleTimeout())
                .build();
    }

    /** Forgets a session's owner, as eviction does; its next request is refused. */
    void forget(String session) {
        owners.invalidate(session);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !endpoint.equals(
                request.getRequestURI().substring(request.getContextPath().length()));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        String subject = authentication == null ? null : authentication.getName();
        if (subject == null) {
            chain.doFilter(request, response); // the security filters already answered 401
            return;
        }
        String session = request.getHeader(SESSION_HEADER);
        if (session != null) {
            String owner = owners.getIfPresent(session);
            if (!subject.equals(owner)) { // another user's session, or one whose owner is unknown: fail closed
                Problems.write(
                        request,
                        response,
                        Problems.of(
                                HttpStatus.NOT_FOUND,
                                ErrorType.NOT_FOUND,
                                "MCP session not found",
                                request.getRequestURI(),
                                List.of()));
                return;
            }
            if ("DELETE".equals(request.getMethod())) {
                owners.invalidate(session);
            }
        }
        chain.doFilter(request, new HttpServletResponseWrapper(response) {
            @Override
            public void setHeader(String name, String value) {
                remember(name, value, subject);
                super.setHeader(name, value);
            }

            @Override
            public void addHeader(String name, String value) {
                remember(name, value, subject);
                super.addHeader(name, value);
            }
        });
    }

    /** Records the owner of a session id as the server hands it out (before the answer reaches the client). */
    private void remember(String header, String value, String subject) {
        if (value == null || !SESSION_HEADER.equalsIgnoreCase(header)) {
            return;
        }
        owners.asMap().putIfAbsent(value, subject);
    }
}
