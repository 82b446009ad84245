package ai.agency.gateway.ws;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Ends the chat streams of a resumed connection whose replica died with them (no replica answered the takeover):
 * nobody will ever send their next chunk or their {@code stream_end}. For each stream the replay log shows open, the
 * answer orchestration stored (the turn usually finishes there even when the gateway that relayed it is gone) is sent
 * as the missing rest — the chunks not yet sent, then {@code stream_end {recovered: true}} — so the client reads the
 * whole answer, nothing lost or doubled; if no such answer is stored, {@code error {errorType: "stream_interrupted",
 * responseId, conversationId}} tells the client to read the conversation later or send the message again.
 */
@Component
class OrphanedStreams {

    private static final Logger log = LoggerFactory.getLogger(OrphanedStreams.class);
    private static final int MAX_PAGES = 50;

    /** A stream the log shows started and not ended. */
    private record Open(@Nullable String requestId, String responseId, String conversationId, StringBuilder sent) {}

    private final ReplayLog replayLog;
    private final Downstream downstream;
    private final JsonMapper json;

    OrphanedStreams(ReplayLog replayLog, Downstream downstream, JsonMapper json) {
        this.replayLog = replayLog;
        this.downstream = downstream;
        this.json = json;
    }

    /** Ends every stream of {@code old} still open in the log, on {@code target}; returns how many. */
    int settle(UUID old, Connection target) {
        int ended = 0;
        for (Open open : open(old, target.userId())) {
            String stored = storedAnswer(target.token(), open);
            if (stored != null && stored.startsWith(open.sent().toString())) {
                String rest = stored.substring(open.sent().length());
                if (!rest.isEmpty()) {
                    target.send(
                            "stream_chunk",
                            open.requestId(),
                            json.createObjectNode()
                                    .put("responseId", open.responseId())
                                    .put("content", rest));
                }
                ObjectNode end = json.createObjectNode().put("responseId", open.responseId());
                end.putNull("usage");
                end.put("recovered", true);
                target.send("stream_end", open.requestId(), end);
            } else {
                target.send(
                        "error",
                        open.requestId(),
                        json.createObjectNode()
                                .put("errorType", "stream_interrupted")
                                .put(
                                        "message",
                                        "The gateway replica relaying this answer stopped and the answer is not"
                                                + " stored (yet): read the conversation later, or send the message again")
                                .put("responseId", open.responseId())
                                .put("conversationId", open.conversationId()));
            }
            ended++;
        }
        if (ended > 0) {
            log.info(
                    "Ended {} stream(s) of connection {}, whose replica stopped, on connection {}",
                    ended,
                    old,
                    target.id());
        }
        return ended;
    }

    private List<Open> open(UUID old, UUID userId) {
        Map<String, Open> open = new LinkedHashMap<>();
        for (ReplayLog.Frame frame : replayLog.after(old, userId, 0)) {
            JsonNode f = json.readTree(frame.payload());
            String requestId = f.path("requestId").asString("");
            switch (f.path("type").asString()) {
                case "stream_start" ->
                    open.put(
                            requestId,
                            new Open(
                                    requestId,
                                    f.path("responseId").asString(),
                                    f.path("conversationId").asString(),
                                    new StringBuilder()));
                case "stream_chunk" -> {
                    Open o = open.get(requestId);
                    if (o != null) {
                        o.sent().append(f.path("content").asString(""));
                    }
                }
                case "stream_end", "error", "response" -> open.remove(requestId);
                default -> {
                    // memory, tool and degraded frames of a turn change nothing here
                }
            }
        }
        return new ArrayList<>(open.values());
    }

    /** The assistant message {@code responseId} as orchestration stored it, or null. */
    private @Nullable String storedAnswer(String token, Open open) {
        String cursor = null;
        try {
            for (int page = 0; page < MAX_PAGES; page++) {
                Downstream.Answer answer =
                        downstream.listMessages(token, open.conversationId(), cursor, new Downstream.Cancel());
                if (!answer.ok()) {
                    return null;
                }
                for (JsonNode m : answer.body().path("items")) {
                    if (open.responseId().equals(m.path("id").asString())) {
                        return m.path("content").asString(null);
                    }
                }
                JsonNode next = answer.body().path("nextCursor");
                if (!next.isString()) {
                    return null;
                }
                cursor = next.asString();
            }
        } catch (java.io.IOException | RuntimeException e) {
            log.warn("Could not read conversation {} to end a stream: {}", open.conversationId(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }
}
