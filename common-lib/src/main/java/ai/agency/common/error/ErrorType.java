package ai.agency.common.error;

import org.springframework.http.HttpStatus;

/**
 * The error classes of the platform. Every problem response names one of them in its {@code errorType}
 * member, so clients can branch on a stable word instead of parsing messages.
 */
public enum ErrorType {
    VALIDATION("validation", HttpStatus.BAD_REQUEST, false),
    AUTHENTICATION("authentication", HttpStatus.UNAUTHORIZED, false),
    AUTHORIZATION("authorization", HttpStatus.FORBIDDEN, false),
    NOT_FOUND("not_found", HttpStatus.NOT_FOUND, false),
    CONFLICT("conflict", HttpStatus.CONFLICT, false),
    RATE_LIMIT("rate_limit", HttpStatus.TOO_MANY_REQUESTS, true),
    RESOURCE_EXHAUSTED("resource_exhausted", HttpStatus.SERVICE_UNAVAILABLE, true),
    SERVICE_UNAVAILABLE("service_unavailable", HttpStatus.SERVICE_UNAVAILABLE, true),
    NETWORK("network", HttpStatus.BAD_GATEWAY, true),
    INTERNAL("internal", HttpStatus.INTERNAL_SERVER_ERROR, false);

    private final String code;
    private final HttpStatus status;
    private final boolean recoverable;

    ErrorType(String code, HttpStatus status, boolean recoverable) {
        this.code = code;
        this.status = status;
        this.recoverable = recoverable;
    }

    /** The word clients see in {@code errorType}. */
    public String code() {
        return code;
    }

    /** The HTTP status a problem of this class answers with by default. */
    public HttpStatus status() {
        return status;
    }

    /** Whether trying again later may succeed (rate limits, outages, network trouble). */
    public boolean recoverable() {
        return recoverable;
    }
}
