package ai.agency.orchestration.chat;

import ai.agency.common.security.Caller;
import ai.agency.orchestration.conversation.StoredMessage;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import java.io.IOException;
import java.util.UUID;
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

    private final ChatService chat;
    private final JsonMapper json;

    ChatController(ChatService chat, JsonMapper json) {
        this.chat = chat;
        this.json = json;
    }

    /** {@code {message: {...}}}: the assistant's answer. */
    record MessageEnvelope(StoredMessage message) {}

    /**
     * One chat turn. With {@code stream: true} or {@code Accept: text/event-stream} the answer is streamed as SSE on
     * this (virtual) request thread, so a client that closes the stream stops the turn; bad input is refused with a
     * problem before the stream starts.
     */
    @PostMapping("/api/v1/conversations/{id}/messages")
    ResponseEntity<MessageEnvelope> send(
            @PathVariable UUID id,
            @Valid @RequestBody ChatRequest request,
            @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept,
            Caller caller,
            HttpServletResponse response)
            throws IOException {
        ChatService.Turn turn = chat.prepare(caller, id, request);
        boolean streaming =
                Boolean.TRUE.equals(request.stream()) || (accept != null && accept.contains("text/event-stream"));
        if (streaming) {
            chat.run(turn, new SseTurnEvents(response, json), true);
            return null;
        }
        return ResponseEntity.ok(new MessageEnvelope(chat.run(turn, TurnEvents.NONE, false)));
    }
}
