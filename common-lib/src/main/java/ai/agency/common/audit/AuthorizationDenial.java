package ai.agency.common.audit;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An authenticated caller was refused (HTTP 403) by a service. Carries no request body, query string, header or
 * secret; {@code token} is the caller's own bearer token, kept only so that the reporter can prove the caller's
 * identity to auth-service, and never written anywhere (it is left out of {@link #toString()}).
 *
 * @param service {@code spring.application.name} of the service that refused the request
 * @param method HTTP method
 * @param path request path, without the query string (at most 512 characters)
 * @param subject the token's {@code sub} (user id)
 * @param roles the token's roles
 * @param reason why: the {@code @PreAuthorize} expression, or the service's own message
 * @param traceId the request's trace id (also in the service's logs and the client's problem)
 * @param at when
 * @param token the caller's bearer token (the credential of the report; not part of the event)
 */
public record AuthorizationDenial(
        String service,
        String method,
        @Nullable String path,
        @Nullable String subject,
        List<String> roles,
        @Nullable String reason,
        @Nullable String traceId,
        Instant at,
        String token) {

    @Override
    public String toString() {
        return "AuthorizationDenial[service=" + service + ", method=" + method + ", path=" + path + ", subject="
                + subject + ", roles=" + roles + ", reason=" + reason + ", traceId=" + traceId + ", at=" + at + "]";
    }
}
