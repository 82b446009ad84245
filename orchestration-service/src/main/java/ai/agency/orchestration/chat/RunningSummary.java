package ai.agency.orchestration.chat;

import ai.agency.orchestration.OrchestrationProperties;
import ai.agency.orchestration.conversation.Conversation;
import ai.agency.orchestration.conversation.ConversationService;
import ai.agency.orchestration.model.SummaryPrompt;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.stereotype.Component;

/**
 * The conversation's running summary: after a turn, the messages that left the window are folded into it by the
 * agent's own model (the local model summarises extractively), in the background ({@link BackgroundWork}). The next
 * turns' system message carries it ({@link ContextWindow}). A failure keeps the old summary.
 */
@Component
class RunningSummary {

    private static final Logger log = LoggerFactory.getLogger(RunningSummary.class);

    private final ConversationService conversations;
    private final BackgroundWork background;
    private final ChatProperties chat;
    private final OrchestrationProperties properties;

    RunningSummary(
            ConversationService conversations,
            BackgroundWork background,
            ChatProperties chat,
            OrchestrationProperties properties) {
        this.conversations = conversations;
        this.background = background;
        this.chat = chat;
        this.properties = properties;
    }

    /** Schedules the summary when the turn pushed messages out of the window that it does not cover yet. */
    void afterTurn(Turn turn, ContextWindow.History history) {
        if (!chat.summarize()) {
            return;
        }
        // the messages before this turn, its user message and its answer (no extra count query per turn)
        long covered = history.earlier() + history.recent().size() + 2 - properties.historyMessages();
        if (covered > turn.conversation().summarizedMessages()) {
            background.submit("summarize", () -> summarize(turn, (int) covered));
        }
    }

    /** Folds the messages up to {@code covered} into the summary, with one non-streaming call of the agent's model. */
    private void summarize(Turn turn, int covered) {
        Conversation conversation = turn.conversation();
        int from = conversation.summarizedMessages();
        try {
            List<SummaryPrompt.Line> lines =
                    conversations.slice(turn.caller(), conversation.id(), from, covered - from).stream()
                            .filter(m -> m.content() != null && !m.content().isBlank())
                            .map(m -> new SummaryPrompt.Line(m.role(), m.content()))
                            .toList();
            AgentModel model = turn.model();
            Prompt prompt = new Prompt(SummaryPrompt.messages(conversation.summary(), lines), model.options(List.of()));
            String summary = model.call(prompt).text().strip();
            if (summary.length() > chat.summaryMaxLength()) {
                summary = summary.substring(summary.length() - chat.summaryMaxLength());
                int line = summary.indexOf('\n');
                summary = line >= 0 && line < summary.length() - 1 ? summary.substring(line + 1) : summary;
            }
            if (!summary.isEmpty()) {
                conversations.saveSummary(turn.caller(), conversation.id(), summary, covered);
            }
        } catch (RuntimeException e) {
            log.warn(
                    "summary of conversation {} failed ({}); the old summary is kept",
                    conversation.id(),
                    ProviderFailure.of(e).type().code());
        }
    }
}
