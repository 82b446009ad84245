package ai.agency.common.error;

import ai.agency.common.trace.TraceIdFilter;
import ai.agency.common.trace.TraceIds;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds the platform's RFC 9457 problems: the standard members plus {@code errorType}, {@code traceId} and, for
 * validation failures, {@code errors: [{field, message}]}.
 */
public final class Problems {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Problems() {}

    public static ProblemDetail of(
            HttpStatusCode status,
            ErrorType type,
            @Nullable String detail,
            @Nullable String instance,
            @Nullable List<AgencyException.FieldError> errors) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        enrich(problem, type, instance, errors);
        return problem;
    }

    /** Adds errorType, traceId and instance to a problem Spring built. */
    public static void enrich(
            ProblemDetail problem,
            ErrorType type,
            @Nullable String instance,
            @Nullable List<AgencyException.FieldError> errors) {
        if (problem.getType() == null) {
            problem.setType(java.net.URI.create("about:blank"));
        }
        problem.setProperty("errorType", type.code());
        problem.setProperty("traceId", currentTraceId());
        if (instance != null && problem.getInstance() == null) {
            problem.setInstance(java.net.URI.create(safePath(instance)));
        }
        if (errors != null && !errors.isEmpty()) {
            problem.setProperty("errors", errors);
        }
    }

    /** Writes a problem straight to a servlet response, for filters that run outside Spring MVC. */
    public static void write(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        if (problem.getProperties() == null || !problem.getProperties().containsKey("traceId")) {
            problem.setProperty("traceId", traceIdOf(request));
        }
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        JSON.writeValue(response.getOutputStream(), toMap(problem));
    }

    /**
     * Writes a 503 {@code service_unavailable} problem with {@code Retry-After} (as {@link ProblemExceptionHandler}
     * answers one), for filters that run outside Spring MVC: a dependency is out of reach, try again shortly.
     */
    public static void writeUnavailable(HttpServletRequest request, HttpServletResponse response, String detail)
            throws IOException {
        response.setHeader(
                org.springframework.http.HttpHeaders.RETRY_AFTER,
                Long.toString(ProblemExceptionHandler.UNAVAILABLE_RETRY_AFTER_SECONDS));
        write(
                request,
                response,
                of(
                        org.springframework.http.HttpStatus.SERVICE_UNAVAILABLE,
                        ErrorType.SERVICE_UNAVAILABLE,
                        detail,
                        request.getRequestURI(),
                        null));
    }

    /** The problem as JSON text, for writers that cannot take an output stream (Tomcat's error report). */
    public static String toJson(ProblemDetail problem) {
        return JSON.writeValueAsString(toMap(problem));
    }

    /** The problem as RFC 9457 JSON members (what Spring MVC renders for a {@link ProblemDetail}). */
    public static Map<String, Object> toMap(ProblemDetail problem) {
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("type", problem.getType() != null ? problem.getType().toString() : "about:blank");
        members.put("title", problem.getTitle());
        members.put("status", problem.getStatus());
        members.put("detail", problem.getDetail());
        if (problem.getInstance() != null) {
            members.put("instance", problem.getInstance().toString());
        }
        if (problem.getProperties() != null) {
            members.putAll(problem.getProperties());
        }
        return members;
    }

    public static String traceIdOf(HttpServletRequest request) {
        Object attribute = request.getAttribute(TraceIdFilter.ATTRIBUTE);
        return attribute != null ? attribute.toString() : currentTraceId();
    }

    private static String currentTraceId() {
        String current = TraceIds.current();
        return current != null ? current : TraceIds.newTraceId();
    }

    private static String safePath(String path) {
        try {
            return java.net.URI.create(path).getRawPath() != null ? path : "/";
        } catch (IllegalArgumentException e) {
            return "/";
        }
    }
}
