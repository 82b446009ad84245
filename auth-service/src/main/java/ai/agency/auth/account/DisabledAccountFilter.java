package ai.agency.auth.account;

import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.common.error.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * On auth-service itself, an access token of a disabled account stops working at once (other services accept it
 * until it expires, at most one access-token lifetime). Runs after Spring Security has checked the token.
 */
@Component
class DisabledAccountFilter extends OncePerRequestFilter {

    private final AccountService accounts;

    DisabledAccountFilter(AccountService accounts) {
        this.accounts = accounts;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        boolean disabled;
        try {
            disabled = authentication instanceof JwtAuthenticationToken token
                    && isDisabled(token.getToken().getSubject());
        } catch (RuntimeException e) {
            if (ErrorClassifier.classify(e) != ErrorType.SERVICE_UNAVAILABLE) {
                throw e;
            }
            // the pool timed out or the database is down: outside Spring MVC this would be a 500
            unavailable(request, response);
            return;
        }
        if (disabled) {
            response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            Problems.write(
                    request,
                    response,
                    Problems.of(
                            HttpStatus.UNAUTHORIZED,
                            ErrorType.AUTHENTICATION,
                            "This account is disabled",
                            request.getRequestURI(),
                            null));
            return;
        }
        chain.doFilter(request, response);
    }

    private static void unavailable(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Problems.writeUnavailable(request, response, "A service this request needs is unavailable; try again shortly");
    }

    private boolean isDisabled(String subject) {
        try {
            return accounts.isDisabled(UUID.fromString(subject));
        } catch (IllegalArgumentException | NullPointerException e) {
            return false; // not a user id: the controllers refuse it
        }
    }
}
