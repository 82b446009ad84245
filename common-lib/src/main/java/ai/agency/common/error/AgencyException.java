package ai.agency.common.error;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatusCode;

/**
 * A failure the platform reports to the client on purpose. Throw it from any layer; common-lib turns it into an
 * {@code application/problem+json} response with the status and error class it carries.
 */
public class AgencyException extends RuntimeException {

    private final ErrorType errorType;
    private final HttpStatusCode status;
    private final List<FieldError> fieldErrors;
    private final Map<String, Object> properties = new LinkedHashMap<>();

    public AgencyException(ErrorType errorType, String detail) {
        this(errorType, errorType.status(), detail, List.of(), null);
    }

    public AgencyException(
            ErrorType errorType,
            HttpStatusCode status,
            @Nullable String detail,
            List<FieldError> fieldErrors,
            @Nullable Throwable cause) {
        super(detail, cause);
        this.errorType = errorType;
        this.status = status;
        this.fieldErrors = List.copyOf(fieldErrors);
    }

    public static AgencyException notFound(String what, Object id) {
        return new AgencyException(ErrorType.NOT_FOUND, what + " " + id + " was not found");
    }

    public static AgencyException conflict(String detail) {
        return new AgencyException(ErrorType.CONFLICT, detail);
    }

    public static AgencyException invalid(String detail) {
        return new AgencyException(ErrorType.VALIDATION, detail);
    }

    public static AgencyException invalidField(String field, String message) {
        return new AgencyException(
                ErrorType.VALIDATION,
                ErrorType.VALIDATION.status(),
                field + ": " + message,
                List.of(new FieldError(field, message)),
                null);
    }

    public static AgencyException unauthenticated(String detail) {
        return new AgencyException(ErrorType.AUTHENTICATION, detail);
    }

    public static AgencyException forbidden(String detail) {
        return new AgencyException(ErrorType.AUTHORIZATION, detail);
    }

    public static AgencyException unavailable(@Nullable String detail, @Nullable Throwable cause) {
        return new AgencyException(
                ErrorType.SERVICE_UNAVAILABLE, ErrorType.SERVICE_UNAVAILABLE.status(), detail, List.of(), cause);
    }

    /**
     * Adds a member to the problem this exception becomes, e.g. {@code reason: "mfa_required"}, so that clients can
     * tell apart failures of the same class without parsing {@code detail}. Never put secrets here. The standard
     * members and {@code errorType}, {@code traceId}, {@code errors} cannot be replaced.
     */
    public AgencyException withProperty(String name, Object value) {
        properties.put(name, value);
        return this;
    }

    /** The extra problem members added with {@link #withProperty}. */
    public Map<String, Object> properties() {
        return Collections.unmodifiableMap(properties);
    }

    public ErrorType errorType() {
        return errorType;
    }

    public HttpStatusCode status() {
        return status;
    }

    public List<FieldError> fieldErrors() {
        return fieldErrors;
    }

    /** One invalid field of a request: {@code {field, message}} in the problem's {@code errors} member. */
    public record FieldError(String field, @Nullable String message) {}
}
