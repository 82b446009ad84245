package ai.agency.common.error;

import ai.agency.common.audit.AuthorizationDenialReporter;
import ai.agency.common.config.StorableText;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.ConstraintViolationException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.databind.DatabindException;

/**
 * The one place where failures become {@code application/problem+json}. Spring MVC's own exceptions (bad JSON,
 * unsupported media type, method not allowed, no such path...) come through {@link ResponseEntityExceptionHandler}
 * and are enriched; ours and everything unexpected are handled below. Unexpected failures are logged with the
 * trace id and answered without any internal detail.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE + 1000)
public class ProblemExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);
    private static final java.util.Set<String> RESERVED_MEMBERS =
            java.util.Set.of("type", "title", "status", "detail", "instance", "errorType", "traceId", "errors");

    /**
     * {@code Retry-After} of a 503 (a dependency down or restarting, the database's pool exhausted, a circuit open):
     * long enough for a pool to free up or a database to come back, short enough that clients do not give up.
     */
    public static final long UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

    private final ObjectProvider<AuthorizationDenialReporter> denials;

    public ProblemExceptionHandler(ObjectProvider<AuthorizationDenialReporter> denials) {
        this.denials = denials;
    }

    @ExceptionHandler(AgencyException.class)
    ResponseEntity<Object> agency(AgencyException ex, HttpServletRequest request) {
        if (ex.errorType() == ErrorType.AUTHORIZATION) {
            denials.ifAvailable(reporter -> reporter.report(request, ex.getMessage()));
        }
        ProblemDetail problem =
                Problems.of(ex.status(), ex.errorType(), ex.getMessage(), request.getRequestURI(), ex.fieldErrors());
        ex.properties().forEach((name, value) -> {
            if (!RESERVED_MEMBERS.contains(name)) {
                problem.setProperty(name, value);
            }
        });
        HttpHeaders headers = new HttpHeaders();
        if (ex instanceof RateLimitedException limited) {
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(limited.retryAfterSeconds()));
        } else if (ex.status().value() == HttpStatus.SERVICE_UNAVAILABLE.value()) {
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(UNAVAILABLE_RETRY_AFTER_SECONDS));
        }
        if (ex.status().is5xxServerError()) {
            log.warn("{} on {}: {}", ex.errorType().code(), request.getRequestURI(), ex.getMessage());
        }
        return ResponseEntity.status(ex.status()).headers(headers).body(problem);
    }

    @ExceptionHandler(ConstraintViolationException.class)
    ResponseEntity<Object> constraintViolation(ConstraintViolationException ex, HttpServletRequest request) {
        List<AgencyException.FieldError> errors = ex.getConstraintViolations().stream()
                .map(v -> new AgencyException.FieldError(
                        lastNode(v.getPropertyPath().toString()), v.getMessage()))
                .toList();
        return badRequest("Request has invalid values", request, errors);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException ex, HttpServletRequest request) {
        String message = "has an invalid value";
        return badRequest(
                "Parameter '" + ex.getName() + "' " + message,
                request,
                List.of(new AgencyException.FieldError(ex.getName(), message)));
    }

    @ExceptionHandler(AccessDeniedException.class)
    ResponseEntity<Object> accessDenied(AccessDeniedException ex, HttpServletRequest request) {
        denials.ifAvailable(reporter -> reporter.report(request, ex));
        return ResponseEntity.status(HttpStatus.FORBIDDEN)
                .body(Problems.of(
                        HttpStatus.FORBIDDEN,
                        ErrorType.AUTHORIZATION,
                        "You are not allowed to do this",
                        request.getRequestURI(),
                        null));
    }

    @ExceptionHandler(AuthenticationException.class)
    ResponseEntity<Object> unauthenticated(AuthenticationException ex, HttpServletRequest request) {
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
                .body(Problems.of(
                        HttpStatus.UNAUTHORIZED,
                        ErrorType.AUTHENTICATION,
                        "Authentication is required",
                        request.getRequestURI(),
                        null));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception ex, HttpServletRequest request) {
        ErrorType type = ErrorClassifier.classify(ex);
        if (type == ErrorType.INTERNAL) {
            log.error("Unexpected failure on {} {}", request.getMethod(), request.getRequestURI(), ex);
            return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
                    .body(Problems.of(
                            HttpStatus.INTERNAL_SERVER_ERROR,
                            type,
                            "An unexpected error occurred; quote the traceId when reporting it",
                            request.getRequestURI(),
                            null));
        }
        if (ErrorClassifier.isUnsupportedCharset(ex)) {
            HttpStatus status = HttpStatus.UNSUPPORTED_MEDIA_TYPE;
            return ResponseEntity.status(status)
                    .body(Problems.of(
                            status,
                            ErrorType.VALIDATION,
                            "The request's character set is not supported; send UTF-8",
                            request.getRequestURI(),
                            null));
        }
        if (type == ErrorType.VALIDATION) {
            log.debug("validation on {} {}: {}", request.getMethod(), request.getRequestURI(), ex.toString());
        } else {
            log.warn("{} on {} {}: {}", type.code(), request.getMethod(), request.getRequestURI(), ex.toString());
        }
        String detail = switch (type) {
            case SERVICE_UNAVAILABLE -> "A service this request needs is unavailable; try again shortly";
            case NETWORK -> "A service this request needs did not answer in time";
            case RESOURCE_EXHAUSTED -> "The service is at capacity; try again shortly";
            case VALIDATION ->
                ErrorClassifier.isUnstorableText(ex)
                        ? "A text in the request cannot be stored: it contains the NUL character (U+0000)"
                        : ErrorClassifier.isMalformedRequest(ex)
                                ? "The request could not be read: its query string, headers or body are malformed"
                                : type.status().getReasonPhrase();
            default -> type.status().getReasonPhrase();
        };
        ResponseEntity.BodyBuilder response = ResponseEntity.status(type.status());
        if (type.status() == HttpStatus.SERVICE_UNAVAILABLE) {
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(UNAVAILABLE_RETRY_AFTER_SECONDS));
        }
        return response.body(Problems.of(type.status(), type, detail, request.getRequestURI(), null));
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<AgencyException.FieldError> errors = new ArrayList<>();
        ex.getBindingResult()
                .getFieldErrors()
                .forEach(e -> errors.add(new AgencyException.FieldError(e.getField(), e.getDefaultMessage())));
        ex.getBindingResult()
                .getGlobalErrors()
                .forEach(e -> errors.add(new AgencyException.FieldError(e.getObjectName(), e.getDefaultMessage())));
        return badRequest(summary(errors), servletRequest(request), errors);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<AgencyException.FieldError> errors = new ArrayList<>();
        ex.getParameterValidationResults().forEach(result -> {
            String name = result.getMethodParameter().getParameterName();
            result.getResolvableErrors()
                    .forEach(e -> errors.add(
                            new AgencyException.FieldError(name != null ? name : "parameter", e.getDefaultMessage())));
        });
        return badRequest(summary(errors), servletRequest(request), errors);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String detail = "Request body is missing or is not valid JSON";
        List<AgencyException.FieldError> errors = List.of();
        for (Throwable t = ex.getCause(); t != null; t = t.getCause()) {
            if (t instanceof DatabindException databind && !databind.getPath().isEmpty()) {
                String field = databind.getPath().stream()
                        .map(ref ->
                                ref.getPropertyName() != null ? ref.getPropertyName() : String.valueOf(ref.getIndex()))
                        .reduce((a, b) -> a + "." + b)
                        .orElse("body");
                String message = databind instanceof StorableText.UnstorableTextException unstorable
                        ? unstorable.reason()
                        : "has a value of the wrong type or shape";
                detail = "Field '" + field + "' " + message;
                errors = List.of(new AgencyException.FieldError(field, message));
                break;
            }
        }
        return badRequest(detail, servletRequest(request), errors);
    }

    @Override
    protected ResponseEntity<Object> handleNoResourceFoundException(
            NoResourceFoundException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        HttpServletRequest servlet = servletRequest(request);
        return ResponseEntity.status(HttpStatus.NOT_FOUND)
                .body(Problems.of(
                        HttpStatus.NOT_FOUND,
                        ErrorType.NOT_FOUND,
                        "There is no endpoint " + servlet.getMethod() + " " + servlet.getRequestURI(),
                        servlet.getRequestURI(),
                        null));
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleExceptionInternal(
            Exception ex, @Nullable Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(ex, body, headers, statusCode, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem) {
            Problems.enrich(
                    problem,
                    ErrorClassifier.classify(statusCode),
                    servletRequest(request).getRequestURI(),
                    null);
        }
        return response;
    }

    private ResponseEntity<Object> badRequest(
            String detail, HttpServletRequest request, List<AgencyException.FieldError> errors) {
        return ResponseEntity.badRequest()
                .body(Problems.of(
                        HttpStatus.BAD_REQUEST, ErrorType.VALIDATION, detail, request.getRequestURI(), errors));
    }

    private static String summary(List<AgencyException.FieldError> errors) {
        if (errors.isEmpty()) {
            return "Request is invalid";
        }
        return "Request is invalid: "
                + errors.stream()
                        .map(e -> e.field() + " " + e.message())
                        .reduce((a, b) -> a + "; " + b)
                        .orElse("");
    }

    private static String lastNode(String path) {
        int dot = path.lastIndexOf('.');
        return dot >= 0 ? path.substring(dot + 1) : path;
    }

    private static HttpServletRequest servletRequest(WebRequest request) {
        return ((ServletWebRequest) request).getRequest();
    }
}
