package ai.agency.common.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * The trace id of the request being served: taken from an incoming W3C {@code traceparent} or {@code X-Request-Id},
 * generated otherwise; kept in the logging MDC under {@value #MDC_KEY}, echoed to clients and passed downstream. With
 * tracing on (every service: Micrometer Tracing over OpenTelemetry) it is the id of the request's span, the one the
 * OTLP exporter sends; the header parsing is the fallback when no span is current.
 */
public final class TraceIds {

    public static final String MDC_KEY = "traceId";
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    public static final String TRACEPARENT_HEADER = "traceparent";

    private static final Pattern TRACEPARENT =
            Pattern.compile("^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$");
    private static final Pattern SAFE_REQUEST_ID = Pattern.compile("^[A-Za-z0-9._:-]{1,64}$");
    private static final SecureRandom RANDOM = new SecureRandom();

    private TraceIds() {}

    /** The current trace id, or {@code null} outside a request. */
    public static @Nullable String current() {
        return MDC.get(MDC_KEY);
    }

    /** The trace id of the current OpenTelemetry span, or {@code null} when no valid span is current. */
    public static @Nullable String ofCurrentSpan() {
        SpanContext context = Span.current().getSpanContext();
        return context.isValid() ? context.getTraceId() : null;
    }

    /** A W3C traceparent naming the current span as parent, or {@code null} when no valid span is current. */
    public static @Nullable String traceparentOfCurrentSpan() {
        SpanContext context = Span.current().getSpanContext();
        if (!context.isValid()) {
            return null;
        }
        return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-"
                + context.getTraceFlags().asHex();
    }

    /**
     * The traceparent for an outgoing call: the current span's, else one made up for {@code traceId} when it has the
     * W3C shape, else null.
     */
    public static @Nullable String outgoingTraceparent(@Nullable String traceId) {
        String ofSpan = traceparentOfCurrentSpan();
        if (ofSpan != null && (traceId == null || ofSpan.contains(traceId))) {
            return ofSpan;
        }
        return traceparentFor(traceId);
    }

    /** Picks the trace id for a request from its headers; never returns null. */
    public static String resolve(@Nullable String traceparent, @Nullable String requestId) {
        if (traceparent != null) {
            var matcher = TRACEPARENT.matcher(traceparent.trim().toLowerCase());
            if (matcher.matches() && !matcher.group(1).chars().allMatch(c -> c == '0')) {
                return matcher.group(1);
            }
        }
        if (requestId != null && SAFE_REQUEST_ID.matcher(requestId.trim()).matches()) {
            return requestId.trim();
        }
        return newTraceId();
    }

    public static String newTraceId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** A W3C traceparent for an outgoing call, when the trace id has the W3C shape; else null. */
    public static @Nullable String traceparentFor(@Nullable String traceId) {
        if (traceId == null || !traceId.matches("[0-9a-f]{32}")) {
            return null;
        }
        byte[] span = new byte[8];
        RANDOM.nextBytes(span);
        return "00-" + traceId + "-" + HexFormat.of().formatHex(span) + "-01";
    }
}
