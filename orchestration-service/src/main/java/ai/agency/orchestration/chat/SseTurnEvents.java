package ai.agency.orchestration.chat;

import ai.agency.common.sse.ClientGoneException;
import ai.agency.common.sse.SseWriter;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes chat events as Server-Sent Events straight to the response, flushing each, with {@code id:} 1, 2, 3, ...
 * The turn runs on the request's (virtual) thread, so a client that disconnects shows up as a failed write. The
 * response is committed (200, {@code text/event-stream}) only with the first event, so a turn that fails before it
 * has anything to say — e.g. no database connection — still answers with a problem (503), not a broken stream.
 */
final class SseTurnEvents implements TurnEvents {

    private final SseWriter sse;
    private long nextId = 1;
    private boolean closed;

    SseTurnEvents(HttpServletResponse response, JsonMapper json) {
        this.sse = new SseWriter(response, json);
    }

    @Override
    public synchronized void emit(String name, Object data) {
        if (closed) {
            throw new Cancelled(null);
        }
        try {
            sse.send(nextId++, name, data);
        } catch (ClientGoneException e) {
            closed = true;
            throw new Cancelled(e);
        }
    }

    /** Whether the stream has begun (its status and headers are sent). */
    synchronized boolean started() {
        return sse.started();
    }
}
