package ai.agency.common.sse;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes Server-Sent Events straight to a servlet response on the request's own (virtual) thread: {@code id:}, {@code
 * event:} and one {@code data:} line of JSON per event. The response is committed (200, {@code text/event-stream},
 * neither cached nor buffered by a proxy) by {@link #start()} or with the first event, so an endpoint that fails
 * before it has anything to say can still answer with a problem. A client that has gone away shows up as a failed
 * write: {@link ClientGoneException}. Not thread-safe; callers that emit from several threads synchronise.
 */
public final class SseWriter {

    private final HttpServletResponse response;
    private final JsonMapper json;
    private @Nullable OutputStream out;

    public SseWriter(HttpServletResponse response, JsonMapper json) {
        this.response = response;
        this.json = json;
    }

    /** Sends the status and headers now, before any event (a stream that may stay quiet for a while). */
    public void start() {
        try {
            open();
            response.flushBuffer();
        } catch (IOException e) {
            throw new ClientGoneException(e);
        }
    }

    /** Whether the stream has begun (its status and headers are committed). */
    public boolean started() {
        return out != null;
    }

    /** Writes one event without flushing it ({@link #flush()} sends what was written). */
    public void event(Object id, String name, Object data) {
        write("id: " + id + "\nevent: " + name + "\ndata: " + json.writeValueAsString(data) + "\n\n");
    }

    /** Writes one event and flushes it to the client. */
    public void send(Object id, String name, Object data) {
        event(id, name, data);
        flush();
    }

    /** Writes and flushes a comment line (e.g. a keep-alive that proxies see as traffic; clients ignore it). */
    public void comment(String text) {
        write(": " + text + "\n\n");
        flush();
    }

    public void flush() {
        try {
            open().flush();
        } catch (IOException e) {
            throw new ClientGoneException(e);
        }
    }

    private void write(String frame) {
        try {
            open().write(frame.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ClientGoneException(e);
        }
    }

    private OutputStream open() throws IOException {
        if (out == null) {
            response.setStatus(200);
            response.setContentType("text/event-stream");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Cache-Control", "no-cache");
            response.setHeader("X-Accel-Buffering", "no");
            out = response.getOutputStream();
        }
        return out;
    }
}
