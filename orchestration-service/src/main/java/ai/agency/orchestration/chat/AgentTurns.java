package ai.agency.orchestration.chat;

import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.conversation.Conversation;
import ai.agency.orchestration.conversation.ConversationService;
import ai.agency.orchestration.conversation.StoredMessage;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The chat loop and tool execution for work that is not a client's chat request: workflow steps and channel
 * deliveries. An agent turn runs exactly like {@code POST /api/v1/conversations/{id}/messages} (non-streaming) in a
 * new conversation of the caller, so it is persisted and visible in the caller's conversation list.
 */
@Component
public class AgentTurns {

    private final ChatService chat;
    private final ConversationService conversations;
    private final RemoteTools tools;
    private final JsonMapper json;

    AgentTurns(ChatService chat, ConversationService conversations, RemoteTools tools, JsonMapper json) {
        this.chat = chat;
        this.conversations = conversations;
        this.tools = tools;
        this.json = json;
    }

    /**
     * One chat turn of the agent as {@code caller}; the answer is persisted in a new conversation titled
     * {@code title}. Provider failures are thrown as {@link AgencyException} with their error class.
     */
    public StoredMessage ask(Caller caller, UUID agentId, String title, String content) {
        return ask(caller, agentId, null, title, content);
    }

    /** {@link #ask(Caller, UUID, String, String)} with version {@code agentVersion} of the agent (null: current). */
    public StoredMessage ask(Caller caller, UUID agentId, Integer agentVersion, String title, String content) {
        if (content == null || content.isBlank()) {
            throw AgencyException.invalidField("input", "the message to the agent is empty");
        }
        Conversation conversation = conversations.create(caller, agentId, title);
        Turn turn = chat.prepare(caller, conversation.id(), new ChatRequest(content, false), agentVersion);
        return chat.run(turn, TurnEvents.NONE, false);
    }

    /**
     * Executes a tool of tool-service as the caller under {@code idempotencyKey} (null for none): tool-service's
     * envelope {@code {success, data|error}}. A repeat with the same key gets the first call's envelope.
     */
    public JsonNode executeTool(Caller caller, String name, JsonNode parameters, String idempotencyKey) {
        String arguments = parameters == null || parameters.isNull() ? "{}" : json.writeValueAsString(parameters);
        return json.readTree(tools.execute(name, arguments, "Bearer " + caller.token(), idempotencyKey));
    }

    /** The names of the tools that tool-service offers to the caller. */
    public Set<String> toolNames(Caller caller) {
        return tools.names("Bearer " + caller.token());
    }

    /** The caller's tool names, listed again if {@code tool} is not among the cached ones (a tool added since). */
    public Set<String> toolNames(Caller caller, String tool) {
        return tools.names("Bearer " + caller.token(), java.util.Set.of(tool));
    }
}
