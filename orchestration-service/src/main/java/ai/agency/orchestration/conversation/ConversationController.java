package ai.agency.orchestration.conversation;

import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ConversationController {

    private final ConversationService conversations;

    ConversationController(ConversationService conversations) {
        this.conversations = conversations;
    }

    /** Body of POST /api/v1/conversations; no agent means the default assistant. */
    record CreateConversation(UUID agentId, @Size(max = 200) String title) {}

    @PostMapping("/api/v1/conversations")
    @ResponseStatus(HttpStatus.CREATED)
    Conversation create(@Valid @RequestBody(required = false) CreateConversation request, Caller caller) {
        CreateConversation body = request == null ? new CreateConversation(null, null) : request;
        return conversations.create(caller, body.agentId(), body.title());
    }

    @GetMapping("/api/v1/conversations")
    Page<Conversation> list(
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor,
            Caller caller) {
        return conversations.list(caller, limit, cursor);
    }

    @GetMapping("/api/v1/conversations/{id}")
    Conversation get(@PathVariable UUID id, Caller caller) {
        return conversations.get(caller, id);
    }

    @DeleteMapping("/api/v1/conversations/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable UUID id, Caller caller) {
        conversations.delete(caller, id);
    }

    @GetMapping("/api/v1/conversations/{id}/messages")
    Page<StoredMessage> messages(
            @PathVariable UUID id,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor,
            Caller caller) {
        return conversations.messages(caller, id, limit, cursor);
    }
}
