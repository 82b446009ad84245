package ai.agency.orchestration.chat;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes chat events as Server-Sent Events straight to the response, flushing each, with {@code id:} 1, 2, 3, ...
 * The turn runs on the request's (virtual) thread, so a client that disconnects shows up as a failed write. The
 * response is committed (200, {@code text/event-stream}) only with the first event, so a turn that fails before it
 * has anything to say — e.g. no database connection — still answers with a problem (503), not a broken stream.
 */
final class SseTurnEvents implements TurnEvents {

    private final HttpServletResponse response;
    private final JsonMapper json;
    private OutputStream out;
    private long nextId = 1;
    private boolean closed;

    SseTurnEvents(HttpServletResponse response, JsonMapper json) {
        this.response = response;
        this.json = json;
    }

    @Override
    public synchronized void emit(String name, Object data) {
        if (closed) {
            throw new Cancelled(null);
        }
        String frame = "id: " + nextId++ + "\nevent: " + name + "\ndata: " + json.writeValueAsString(data) + "\n\n";
        try {
            if (out == null) {
                response.setStatus(200);
                response.setContentType("text/event-stream");
                response.setCharacterEncoding("UTF-8");
                response.setHeader("Cache-Control", "no-cache");
                response.setHeader("X-Accel-Buffering", "no");
                out = response.getOutputStream();
            }
            out.write(frame.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            closed = true;
            throw new Cancelled(e);
        }
    }

    /** Whether the stream has begun (its status and headers are sent). */
    synchronized boolean started() {
        return out != null;
    }
}
