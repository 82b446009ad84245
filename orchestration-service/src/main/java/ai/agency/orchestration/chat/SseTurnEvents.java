package ai.agency.orchestration.chat;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes chat events as Server-Sent Events straight to the response, flushing each, with {@code id:} 1, 2, 3, ...
 * The turn runs on the request's (virtual) thread, so a client that disconnects shows up as a failed write.
 */
final class SseTurnEvents implements TurnEvents {

    private final OutputStream out;
    private final JsonMapper json;
    private long nextId = 1;
    private boolean closed;

    SseTurnEvents(HttpServletResponse response, JsonMapper json) throws IOException {
        response.setStatus(200);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
        this.out = response.getOutputStream();
        this.json = json;
        response.flushBuffer();
    }

    @Override
    public synchronized void emit(String name, Object data) {
        if (closed) {
            throw new Cancelled(null);
        }
        String frame = "id: " + nextId++ + "\nevent: " + name + "\ndata: " + json.writeValueAsString(data) + "\n\n";
        try {
            out.write(frame.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            closed = true;
            throw new Cancelled(e);
        }
    }
}
