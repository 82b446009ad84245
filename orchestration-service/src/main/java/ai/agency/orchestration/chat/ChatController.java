package ai.agency.orchestration.chat;

import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.conversation.ConversationService;
import ai.agency.orchestration.conversation.StoredMessage;
import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

@RestController
class ChatController {

    private static final Logger log = LoggerFactory.getLogger(ChatController.class);

    private final ChatService chat;
    private final ConversationService conversations;
    private final ActiveTurns active;
    private final JsonMapper json;
    private final ChatAdmission admission;

    ChatController(
            ChatService chat,
            ConversationService conversations,
            ActiveTurns active,
            JsonMapper json,
            ChatAdmission admission) {
        this.chat = chat;
        this.conversations = conversations;
        this.active = active;
        this.json = json;
        this.admission = admission;
    }

    /** {@code {conversationId, cancelled}}: how many running turns were cancelled. */
    record Cancelled(UUID conversationId, int cancelled) {}

    /**
     * Cancels the caller's running turn(s) of the conversation on this instance: the model call and further tool
     * rounds stop, what was produced is persisted with {@code status: cancelled}, and a client still reading the
     * stream gets {@code end} with {@code status: cancelled}. Nothing running → {@code cancelled: 0}; someone else's
     * conversation → 404.
     */
    @PostMapping("/api/v1/conversations/{id}/cancel")
    Cancelled cancel(@PathVariable UUID id, Caller caller) {
        conversations.get(caller, id);
        return new Cancelled(id, active.cancel(id, caller.id()));
    }

    /**
     * {@code {message: {...}, degraded?: {skipped, reason}}}: the assistant's answer, and what of the turn could not
     * run (the streamed turn's {@code degraded} events merged).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record MessageEnvelope(StoredMessage message, Degraded degraded) {}

    /**
     * One chat turn. With {@code stream: true} or {@code Accept: text/event-stream} the answer is streamed as SSE on
     * this (virtual) request thread, so a client that closes the stream stops the turn; bad input is refused with a
     * problem before the stream starts. A turn is admitted first ({@link ChatAdmission}): past the slots it waits
     * briefly, then gets a 429.
     */
    @PostMapping("/api/v1/conversations/{id}/messages")
    ResponseEntity<MessageEnvelope> send(
            @PathVariable UUID id,
            @Valid @RequestBody ChatRequest request,
            @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept,
            Caller caller,
            HttpServletResponse response)
            throws IOException {
        // admitted before anything else is read: a turn that is shed costs no database work
        try (ChatAdmission.Admitted admitted = admission.admit(caller.id())) {
            Turn turn = chat.prepare(caller, id, request);
            return answer(turn, request, accept, response, admitted);
        }
    }

    private ResponseEntity<MessageEnvelope> answer(
            Turn turn,
            ChatRequest request,
            String accept,
            HttpServletResponse response,
            ChatAdmission.Admitted admitted)
            throws IOException {
        boolean streaming =
                Boolean.TRUE.equals(request.stream()) || (accept != null && accept.contains("text/event-stream"));
        if (streaming) {
            SseTurnEvents events = new SseTurnEvents(response, json);
            try {
                chat.run(turn, admitted.watching(events), true);
            } catch (RuntimeException e) {
                if (!events.started()) {
                    throw e; // nothing sent yet: the client gets a problem response
                }
                // mid-stream: the status is sent, so the failure can only be told as the stream's last event
                ErrorType type = ErrorClassifier.classify(e);
                log.warn("chat turn failed mid-stream ({})", type.code(), e);
                try {
                    events.emit(
                            "error",
                            Map.of(
                                    "errorType",
                                    type.code(),
                                    "message",
                                    "The turn failed before it was completed (" + type.code() + "); try again"));
                } catch (TurnEvents.Cancelled gone) {
                    // the client has gone away too
                }
            }
            return null;
        }
        List<Degraded> degraded = new ArrayList<>();
        StoredMessage answer = chat.run(
                turn,
                admitted.watching((name, data) -> {
                    if (data instanceof Degraded skipped) {
                        degraded.add(skipped);
                    }
                }),
                false);
        return ResponseEntity.ok(new MessageEnvelope(answer, Degraded.merge(degraded)));
    }
}
