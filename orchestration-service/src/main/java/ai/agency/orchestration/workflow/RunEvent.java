package ai.agency.orchestration.workflow;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/** One persisted run event: {@code id:} {@code seq}, {@code event:} {@code type}, {@code data:} {@code data}. */
record RunEvent(long seq, String type, JsonNode data, Instant createdAt) {

    boolean terminal() {
        return type.equals("run.succeeded") || type.equals("run.failed") || type.equals("run.cancelled");
    }
}
