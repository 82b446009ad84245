package ai.agency.common.trace;

import io.opentelemetry.api.trace.Span;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request a trace id (see {@link TraceIds}), echoes it as {@code X-Request-Id} and puts it in the MDC. It
 * runs inside Boot's server observation filter, so the id is the request span's trace id (continuing an incoming
 * {@code traceparent}); a client's own {@code X-Request-Id} then becomes the span's {@value #REQUEST_ID_TAG} tag.
 */
public class TraceIdFilter extends OncePerRequestFilter {

    public static final String ATTRIBUTE = TraceIds.class.getName() + ".traceId";
    public static final String REQUEST_ID_TAG = "agency.request_id";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String requestId = request.getHeader(TraceIds.REQUEST_ID_HEADER);
        String traceId = TraceIds.ofCurrentSpan();
        if (traceId == null) {
            traceId = TraceIds.resolve(request.getHeader(TraceIds.TRACEPARENT_HEADER), requestId);
        } else if (requestId != null && !requestId.equals(traceId) && requestId.length() <= 64) {
            Span.current().setAttribute(REQUEST_ID_TAG, requestId);
        }
        request.setAttribute(ATTRIBUTE, traceId);
        response.setHeader(TraceIds.REQUEST_ID_HEADER, traceId);
        MDC.put(TraceIds.MDC_KEY, traceId);
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove(TraceIds.MDC_KEY);
        }
    }

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }
}
