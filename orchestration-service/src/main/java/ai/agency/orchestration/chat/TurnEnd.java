package ai.agency.orchestration.chat;

import ai.agency.common.usage.UsageEvent;
import ai.agency.common.usage.UsageRecorder;
import ai.agency.orchestration.OrchestrationProperties;
import ai.agency.orchestration.conversation.ConversationService;
import ai.agency.orchestration.conversation.StoredMessage;
import ai.agency.orchestration.experiment.ExperimentMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * How a turn ends, whichever way it went: the answer is stored (with what was produced before a cancel or a failure),
 * the turn is measured, the client gets its last event ({@code end}, or {@code error} — a non-streaming turn's
 * failure is thrown as a problem), and the work after the answer is scheduled: memory extraction and the running
 * summary ({@link RunningSummary}).
 */
@Component
class TurnEnd {

    private final ConversationService conversations;
    private final MemoryRecall memory;
    private final BackgroundWork background;
    private final RunningSummary summaries;
    private final ChatMetrics metrics;
    private final ExperimentMetrics experimentMetrics;
    private final OrchestrationProperties properties;
    private final JsonMapper json;
    private final UsageRecorder usageRecorder;
    private final TransactionTemplate tx;

    TurnEnd(
            ConversationService conversations,
            MemoryRecall memory,
            BackgroundWork background,
            RunningSummary summaries,
            ChatMetrics metrics,
            ExperimentMetrics experimentMetrics,
            OrchestrationProperties properties,
            JsonMapper json,
            UsageRecorder usageRecorder,
            TransactionTemplate tx) {
        this.conversations = conversations;
        this.memory = memory;
        this.background = background;
        this.summaries = summaries;
        this.metrics = metrics;
        this.experimentMetrics = experimentMetrics;
        this.properties = properties;
        this.json = json;
        this.usageRecorder = usageRecorder;
        this.tx = tx;
    }

    /** The stored answer; a non-streaming turn that the provider failed throws its problem instead. */
    StoredMessage finish(Turn turn, ContextWindow.History history, TurnState state) {
        AgentModel model = turn.model();
        Duration took = Duration.between(turn.receivedAt(), Instant.now());
        Duration firstChunk =
                state.firstTokenAt() == null ? null : Duration.between(turn.receivedAt(), state.firstTokenAt());
        ObjectNode usage = json.createObjectNode()
                .put("promptTokens", state.promptTokens())
                .put("completionTokens", state.completionTokens())
                .put("totalTokens", state.promptTokens() + state.completionTokens())
                .put("toolRounds", state.toolRounds())
                .put("toolErrors", state.toolErrors())
                .put("turnMs", took.toMillis());
        if (firstChunk != null) {
            usage.put("firstChunkMs", firstChunk.toMillis());
        }
        StoredMessage saved = store(turn, state, usage);
        if (turn.experimentId() != null) {
            experimentMetrics.turn(
                    turn.agent().id(),
                    turn.experimentId(),
                    turn.agent().version(),
                    took,
                    firstChunk,
                    state.promptTokens() + state.completionTokens(),
                    state.toolErrors());
        }
        if (!state.tokenSeen() && !state.answer().isEmpty()) {
            // not streamed: the first token reaches the client with the whole answer
            metrics.firstToken(model.provider(), model.name(), Duration.between(turn.receivedAt(), Instant.now()));
        }
        boolean extract = extractionPossible(state);
        metrics.turn(
                model.provider(),
                model.name(),
                TurnState.COMPLETE.equals(state.status()) && state.degraded() ? ChatMetrics.DEGRADED : state.status(),
                Duration.between(turn.receivedAt(), Instant.now()),
                state.toolRounds());
        metrics.tokens(model.provider(), model.name(), state.promptTokens(), state.completionTokens());

        tell(turn, state, usage);
        if (extract) {
            extractLater(turn, state.answer());
        }
        summaries.afterTurn(turn, history);
        return saved;
    }

    /** The client's last event: {@code error}, or {@code end}; a non-streaming turn's failure is thrown. */
    private void tell(Turn turn, TurnState state, ObjectNode usage) {
        String provider = turn.model().provider();
        ProviderFailure failure = state.failure();
        if (failure != null) {
            if (!state.streaming()) {
                throw failure.problem(provider);
            }
            emitQuietly(
                    state.events(),
                    "error",
                    Map.of("errorType", failure.type().code(), "message", failure.message(provider)));
            return;
        }
        Map<String, Object> end = Map.of("messageId", state.answerId(), "usage", usage, "status", state.status());
        // a cancelled turn's end reaches a client that is still there (cancelled with the cancel endpoint)
        emitQuietly(state.cancelled() ? state.client() : state.events(), "end", end);
    }

    /** Lets memory-service take new memories from the turn, after the answer, as the caller. */
    private void extractLater(Turn turn, String answer) {
        String bearer = turn.bearer();
        String agentId = turn.agent().id().toString();
        String conversationId = turn.conversation().id().toString();
        background.submit(
                "extract-memories", () -> memory.extract(bearer, agentId, conversationId, turn.content(), answer));
    }

    private StoredMessage store(Turn turn, TurnState state, ObjectNode usage) {
        StoredMessage saved = new StoredMessage(
                state.answerId(),
                turn.conversation().id(),
                StoredMessage.ASSISTANT,
                state.answer(),
                json.createArrayNode().addAll(state.toolCalls()),
                json.createArrayNode().addAll(state.memoriesUsed()),
                state.status(),
                turn.model().provider(),
                turn.model().name(),
                turn.agent().version(),
                turn.experimentId(),
                usage,
                Instant.now());
        // the answer and its usage commit together: a crash loses neither alone, and the ids count them once
        tx.executeWithoutResult(status -> {
            conversations.append(turn.caller(), saved);
            UUID user = turn.caller().id();
            List<UsageEvent> events = new ArrayList<>();
            events.add(UsageEvent.turn(UsageEvent.idOf("turn:" + saved.id()), user));
            if (state.promptTokens() + state.completionTokens() > 0) {
                events.add(UsageEvent.tokens(
                        UsageEvent.idOf("tokens:" + saved.id()),
                        user,
                        turn.model().provider(),
                        turn.model().name(),
                        state.promptTokens(),
                        state.completionTokens()));
            }
            usageRecorder.recordAll(events); // one statement
        });
        return saved;
    }

    /**
     * Whether new memories may be taken from the turn: not from a failed or cancelled one, and not when memory-service
     * did not answer the recall — the extraction would fail the same way, unseen, after {@code end}, so the client is
     * told now.
     */
    private boolean extractionPossible(TurnState state) {
        boolean extract = properties.extractMemories() && state.failure() == null && !state.cancelled();
        if (extract && state.skipped(Degraded.MEMORY)) {
            state.skip(Degraded.EXTRACTION, "memory-service is unavailable");
            emitQuietly(
                    state.events(),
                    "degraded",
                    new Degraded(
                            List.of(Degraded.EXTRACTION),
                            "memory-service is unavailable: no new memories were taken from this turn"));
            return false;
        }
        return extract;
    }

    private static void emitQuietly(TurnEvents events, String name, Object data) {
        try {
            events.emit(name, data);
        } catch (TurnEvents.Cancelled ignored) {
            // the client is gone; the turn is already persisted
        }
    }
}
