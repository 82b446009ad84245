package ai.agency.common.audit;

import ai.agency.common.security.ScopeRule;
import ai.agency.common.trace.TraceIdFilter;
import ai.agency.common.trace.TraceIds;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authorization.AuthorizationDeniedException;
import org.springframework.security.authorization.ExpressionAuthorizationDecision;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Turns a refused request into an {@link AuthorizationDenial} for the listeners. Called by the security filter
 * chain's access-denied handler and by {@code ProblemExceptionHandler} for method-security denials and
 * {@code AgencyException.forbidden}. Only callers with a verified token are reported (an anonymous request is a 401,
 * not a denial). Nothing here can fail or slow the request: every error is swallowed.
 */
public class AuthorizationDenialReporter {

    private static final Logger log = LoggerFactory.getLogger(AuthorizationDenialReporter.class);
    private static final int MAX_PATH = 512;
    private static final int MAX_REASON = 200;

    private final String service;
    private final ObjectProvider<AuthorizationDenialListener> listeners;

    public AuthorizationDenialReporter(String service, ObjectProvider<AuthorizationDenialListener> listeners) {
        this.service = service;
        this.listeners = listeners;
    }

    /** Reports a denial with a reason taken from the exception (the {@code @PreAuthorize} expression if any). */
    public void report(HttpServletRequest request, AccessDeniedException denied) {
        report(request, reasonOf(denied));
    }

    public void report(HttpServletRequest request, @Nullable String reason) {
        try {
            Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
            if (!(authentication instanceof JwtAuthenticationToken jwt)) {
                return;
            }
            Object traceAttribute = request.getAttribute(TraceIdFilter.ATTRIBUTE);
            AuthorizationDenial denial = new AuthorizationDenial(
                    service,
                    request.getMethod(),
                    truncate(request.getRequestURI(), MAX_PATH),
                    jwt.getToken().getSubject(),
                    roles(jwt.getToken().getClaim("roles")),
                    truncate(reason, MAX_REASON),
                    traceAttribute != null ? traceAttribute.toString() : TraceIds.current(),
                    Instant.now(),
                    jwt.getToken().getTokenValue());
            listeners.orderedStream().forEach(listener -> {
                try {
                    listener.denied(denial);
                } catch (RuntimeException e) {
                    log.debug("Authorization-denial listener failed", e);
                }
            });
        } catch (RuntimeException e) {
            log.debug("Could not report an authorization denial", e);
        }
    }

    static String reasonOf(AccessDeniedException denied) {
        if (denied instanceof AuthorizationDeniedException authorization
                && authorization.getAuthorizationResult() instanceof ExpressionAuthorizationDecision decision
                && decision.getExpression() != null) {
            return "denied by " + decision.getExpression().getExpressionString();
        }
        if (denied instanceof AuthorizationDeniedException authorization
                && authorization.getAuthorizationResult() instanceof ScopeRule.Decision decision) {
            return "the token's scopes lack '" + decision.requiredScope() + "'";
        }
        return "access denied";
    }

    private static List<String> roles(Object claim) {
        if (claim instanceof java.util.Collection<?> values) {
            return values.stream().map(String::valueOf).limit(10).toList();
        }
        return List.of();
    }

    private static @Nullable String truncate(@Nullable String text, int max) {
        if (text == null) {
            return null;
        }
        return text.length() <= max ? text : text.substring(0, max);
    }
}
