package ai.agency.common.sse;

import java.io.IOException;

/**
 * The client of an event stream went away: a write or flush failed. Nothing can be answered any more; the endpoint
 * stops (and a chat turn, for one, is cancelled).
 */
public class ClientGoneException extends RuntimeException {

    public ClientGoneException(IOException cause) {
        super("the client of the event stream has gone away", cause);
    }
}
