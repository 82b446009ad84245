package ai.agency.tool.mcp;

import ai.agency.common.error.ErrorType;
import ai.agency.common.error.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.ai.mcp.server.common.autoconfigure.properties.McpServerStreamableHttpProperties;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Binds every MCP session to the user who opened it: the session id the server hands out at {@code initialize}
 * ({@code Mcp-Session-Id}) is remembered with the token's subject, and a request that presents a session id opened
 * by someone else is answered 404 (as for an unknown session) before the MCP transport sees it. Identity itself
 * never comes from the session (each request runs as its own token's user); this only keeps one user from
 * attaching to another's session stream. Runs after the security filters, on {@code /mcp} only.
 */
@Component
class McpSessionOwners extends OncePerRequestFilter {

    static final String SESSION_HEADER = "Mcp-Session-Id";
    private static final int PRUNE_ABOVE = 10_000;
    private static final Duration FORGET_AFTER = Duration.ofHours(24);

    private record Owner(String subject, Instant since) {}

    private final Map<String, Owner> owners = new ConcurrentHashMap<>();
    private final String endpoint;

    McpSessionOwners(McpServerStreamableHttpProperties properties) {
        this.endpoint = properties.getMcpEndpoint();
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
            Owner owner = owners.get(session);
            if (owner != null && !owner.subject().equals(subject)) {
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
            if (owner != null && "DELETE".equals(request.getMethod())) {
                owners.remove(session);
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
        owners.putIfAbsent(value, new Owner(subject, Instant.now()));
        if (owners.size() > PRUNE_ABOVE) {
            Instant cutoff = Instant.now().minus(FORGET_AFTER);
            owners.values().removeIf(o -> o.since().isBefore(cutoff));
        }
    }
}
