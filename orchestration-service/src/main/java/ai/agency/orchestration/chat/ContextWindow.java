package ai.agency.orchestration.chat;

import ai.agency.common.flags.Flags;
import ai.agency.orchestration.OrchestrationProperties;
import ai.agency.orchestration.conversation.Conversation;
import ai.agency.orchestration.conversation.ConversationService;
import ai.agency.orchestration.conversation.RecentMessages;
import ai.agency.orchestration.conversation.StoredMessage;
import ai.agency.orchestration.model.MemoryBlock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the model sees of a turn (chat.md, "What the model sees"): the system message — the agent's system prompt, the
 * user's name and profile, the recalled memories, the running summary — then the last {@code history-messages}
 * messages of the conversation and the new message. The recall is told to the client as the {@code memory} event
 * (which also tells {@link ChatAdmission} that the turn is prepared); a failed recall degrades the turn. The feature
 * flag {@value #RECALL_FLAG} (on when absent) switches the recall off for the users it is off for: their turns answer
 * without memories, and the {@code memory} event says why.
 */
@Component
class ContextWindow {

    /** Feature flag: recall memories in chat turns (docs/operations.md, "Feature flags"). */
    static final String RECALL_FLAG = "chat.memory-recall";

    private final ConversationService conversations;
    private final MemoryRecall memory;
    private final Profiles profiles;
    private final OrchestrationProperties properties;
    private final JsonMapper json;
    private final Flags flags;

    ContextWindow(
            ConversationService conversations,
            MemoryRecall memory,
            Profiles profiles,
            OrchestrationProperties properties,
            JsonMapper json,
            Flags flags) {
        this.flags = flags;
        this.conversations = conversations;
        this.memory = memory;
        this.profiles = profiles;
        this.properties = properties;
        this.json = json;
    }

    /**
     * The conversation before the turn.
     *
     * @param recent its last {@code history-messages} messages
     * @param earlier how many messages came before those
     */
    record History(List<RecentMessages.Line> recent, long earlier) {}

    /** One statement: the last messages and the count of all. */
    History history(Turn turn) {
        RecentMessages recent =
                conversations.recent(turn.caller(), turn.conversation().id(), properties.historyMessages());
        return new History(recent.lines(), recent.total() - recent.lines().size());
    }

    /** Recalls the memories (the {@code memory} event), looks up the profile, and builds the prompt's messages. */
    List<Message> messages(Turn turn, History history, TurnState state) {
        MemoryRecall.Recall recall = flags.isOn(RECALL_FLAG, turn.caller(), true)
                ? memory.recall(turn.bearer(), turn.content())
                : new MemoryRecall.Recall(
                        List.of(), true, "memory recall is switched off (feature flag " + RECALL_FLAG + ")");
        state.memoriesUsed(recall.used());
        Map<String, Object> memoryEvent = new LinkedHashMap<>();
        memoryEvent.put("used", recall.used());
        memoryEvent.put("available", recall.available());
        if (recall.note() != null) {
            memoryEvent.put("note", recall.note());
        }
        state.events().emit("memory", memoryEvent);
        if (!recall.available()) {
            state.degrade(Degraded.MEMORY, recall.note());
        }
        Profiles.Profile profile = profiles.of(turn.caller());
        List<Message> messages = new ArrayList<>();
        messages.add(new SystemMessage(system(turn, history, recall, profile)));
        for (RecentMessages.Line past : history.recent()) {
            if (past.content() == null || past.content().isBlank()) {
                continue;
            }
            messages.add(
                    StoredMessage.USER.equals(past.role())
                            ? new UserMessage(past.content())
                            : new AssistantMessage(past.content()));
        }
        messages.add(new UserMessage(turn.content()));
        return messages;
    }

    /** The system message: system prompt, user name, profile, recalled memories, running summary. */
    private String system(Turn turn, History history, MemoryRecall.Recall recall, Profiles.Profile profile) {
        StringBuilder system = new StringBuilder(turn.agent().systemPrompt());
        if (turn.caller().username() != null) {
            system.append("\nYou are talking to the user '")
                    .append(turn.caller().username())
                    .append("'.");
        }
        if (!profile.isEmpty()) {
            system.append("\n\n").append(profileBlock(profile));
        }
        if (!recall.used().isEmpty()) {
            system.append("\n\n").append(MemoryBlock.render(recall.texts()));
        }
        Conversation conversation = turn.conversation();
        long earlier = history.earlier();
        if (earlier > 0 && conversation.summary() != null && conversation.summarizedMessages() > 0) {
            system.append("\n\nSummary of the earlier conversation:\n").append(conversation.summary());
        }
        long unsummarized = earlier - Math.max(0, conversation.summarizedMessages());
        if (unsummarized > 0) {
            system.append("\n\n(")
                    .append(unsummarized)
                    .append(" earlier messages of this conversation are not shown.)");
        }
        return system.toString().strip();
    }

    /** The caller's profile as the system prompt shows it: role and preferences, each value at most 200 characters. */
    private String profileBlock(Profiles.Profile profile) {
        StringBuilder block = new StringBuilder("About the user (from their profile; adapt your answers to it):");
        if (profile.profileRole() != null && !profile.profileRole().isBlank()) {
            block.append("\n- profileRole: ")
                    .append(abbreviate(profile.profileRole().strip(), 200));
        }
        if (profile.preferences() != null && profile.preferences().isObject()) {
            int shown = 0;
            for (Map.Entry<String, JsonNode> preference : profile.preferences().properties()) {
                if (shown++ == 20) {
                    break;
                }
                JsonNode value = preference.getValue();
                String text = value.isString() ? value.asString() : json.writeValueAsString(value);
                block.append("\n- preferences.")
                        .append(abbreviate(preference.getKey(), 64))
                        .append(": ")
                        .append(abbreviate(text, 200));
            }
        }
        return block.toString();
    }

    private static String abbreviate(String text, int max) {
        String flat = text.replaceAll("\\s+", " ");
        return flat.length() <= max ? flat : flat.substring(0, max - 1) + "…";
    }
}
