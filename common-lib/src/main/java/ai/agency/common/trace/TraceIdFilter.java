package ai.agency.common.trace;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/** Gives every request a trace id (see {@link TraceIds}), echoes it as {@code X-Request-Id} and puts it in the MDC. */
public class TraceIdFilter extends OncePerRequestFilter {

    public static final String ATTRIBUTE = TraceIds.class.getName() + ".traceId";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String traceId = TraceIds.resolve(
                request.getHeader(TraceIds.TRACEPARENT_HEADER), request.getHeader(TraceIds.REQUEST_ID_HEADER));
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
