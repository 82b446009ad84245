package ai.agency.gateway.ws;

import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A client frame that passed {@link FrameDispatcher}'s checks: its {@code type}, the client's {@code id} (null when
 * absent, answered as {@code requestId}) and the JSON object itself, whose fields the handler of that type reads.
 */
record ClientFrame(String type, @Nullable String requestId, JsonNode body) {

    JsonNode get(String field) {
        return body.get(field);
    }

    /** The field as a non-blank string, else null. */
    @Nullable
    String string(String field) {
        JsonNode node = body.get(field);
        return node != null && node.isString() && !node.asString().isBlank() ? node.asString() : null;
    }

    /** The field as a UUID in its 36-character form, else null (ids become parts of downstream paths). */
    @Nullable
    UUID uuid(String field) {
        String value = string(field);
        if (value == null || value.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
