package ai.agency.gateway.limits;

import ai.agency.common.error.ErrorType;
import ai.agency.common.error.Problems;
import ai.agency.gateway.GatewayProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.PathContainer;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Refuses request bodies larger than {@code agency.gateway.max-body-size} (or the route's own {@code max-body-size})
 * with a 413 {@code validation} problem. A declared {@code Content-Length} is checked before anything is read; a
 * chunked body is counted while it is forwarded and the request fails with {@link BodyTooLargeException} once it
 * passes the limit (the routes turn that into the same 413).
 */
public class BodySizeFilter extends OncePerRequestFilter {

    private record RouteLimit(List<PathPattern> patterns, long maxBytes) {}

    private final long defaultMax;
    private final List<RouteLimit> routeLimits = new ArrayList<>();

    public BodySizeFilter(GatewayProperties properties) {
        this.defaultMax = properties.maxBodySize().toBytes();
        properties.routes().values().forEach(route -> {
            if (route.maxBodySize() != null) {
                routeLimits.add(new RouteLimit(
                        route.paths().stream()
                                .map(PathPatternParser.defaultInstance::parse)
                                .toList(),
                        route.maxBodySize().toBytes()));
            }
        });
    }

    long limitFor(String path) {
        PathContainer container = PathContainer.parsePath(path);
        for (RouteLimit limit : routeLimits) {
            for (PathPattern pattern : limit.patterns()) {
                if (pattern.matches(container)) {
                    return limit.maxBytes();
                }
            }
        }
        return defaultMax;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long max = limitFor(request.getRequestURI());
        long declared = request.getContentLengthLong();
        if (declared > max) {
            tooLarge(request, response, max);
            return;
        }
        if (declared < 0 && request.getHeader("Transfer-Encoding") != null) {
            chain.doFilter(new Counted(request, max), response);
            return;
        }
        chain.doFilter(request, response);
    }

    static void tooLarge(HttpServletRequest request, HttpServletResponse response, long max) throws IOException {
        response.setHeader("Connection", "close"); // the rest of the body is not read
        Problems.write(
                request,
                response,
                Problems.of(
                        HttpStatus.CONTENT_TOO_LARGE,
                        ErrorType.VALIDATION,
                        "Request body too large: at most "
                                + DataSize.ofBytes(max).toKilobytes() + " KB (" + max + " bytes) for this path",
                        request.getRequestURI(),
                        null));
    }

    /** A chunked body went past the limit while it was read. */
    public static final class BodyTooLargeException extends IOException {
        private final long maxBytes;

        BodyTooLargeException(long maxBytes) {
            super("request body larger than " + maxBytes + " bytes");
            this.maxBytes = maxBytes;
        }

        public long maxBytes() {
            return maxBytes;
        }
    }

    /** The request with a body stream that fails once more than {@code max} bytes were read. */
    private static final class Counted extends HttpServletRequestWrapper {
        private final long max;
        private @Nullable ServletInputStream stream;

        Counted(HttpServletRequest request, long max) {
            super(request);
            this.max = max;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream in = super.getInputStream();
                stream = new ServletInputStream() {
                    private long read;

                    private int count(int n) throws IOException {
                        if (n > 0) {
                            read += n;
                            if (read > max) {
                                throw new BodyTooLargeException(max);
                            }
                        }
                        return n;
                    }

                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        if (b >= 0) {
                            count(1);
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        return count(in.read(b, off, len));
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return stream;
        }
    }
}
