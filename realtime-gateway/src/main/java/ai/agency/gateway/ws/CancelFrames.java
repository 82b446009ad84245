package ai.agency.gateway.ws;

import ai.agency.common.error.ErrorType;
import org.springframework.stereotype.Component;

/**
 * {@code cancel {requestId}}: aborts a running chat turn or tool call of this connection, or forwards the cancel to
 * the replica where the connection this one resumed still runs it (its final frame then comes from there).
 */
@Component
class CancelFrames {

    private final FrameRelay relay;
    private final ErrorFrames errors;

    CancelFrames(FrameRelay relay, ErrorFrames errors) {
        this.relay = relay;
        this.errors = errors;
    }

    void cancel(Connection connection, ClientFrame frame) {
        String target = frame.string("requestId");
        if (target == null) {
            errors.error(connection, frame.requestId(), ErrorType.VALIDATION.code(), "cancel needs 'requestId'");
            return;
        }
        Downstream.Cancel cancel = connection.running().get(target);
        if (cancel == null && relay.forwardCancel(connection, target)) {
            return; // it may run on the replica of the connection this one resumed: its stream_end comes from there
        }
        if (cancel == null || cancel.cancelled()) { // a cancelled request may still be finishing: it is not running
            errors.error(
                    connection, frame.requestId(), ErrorType.NOT_FOUND.code(), "No running request '" + target + "'");
            return;
        }
        cancel.cancel();
    }
}
