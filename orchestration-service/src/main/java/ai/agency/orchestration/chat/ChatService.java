package ai.agency.orchestration.chat;

import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import ai.agency.common.usage.Quotas;
import ai.agency.orchestration.OrchestrationProperties;
import ai.agency.orchestration.agent.Agent;
import ai.agency.orchestration.agent.AgentService;
import ai.agency.orchestration.conversation.Conversation;
import ai.agency.orchestration.conversation.ConversationService;
import ai.agency.orchestration.conversation.StoredMessage;
import ai.agency.orchestration.experiment.ExperimentService;
import ai.agency.orchestration.model.ChatProviders;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * One chat turn (architecture.md), in stages: the request is checked ({@link #prepare}); then the user's message is
 * stored and the turn runs — the window the model sees ({@link ContextWindow}), the rounds of model and tool calls
 * ({@link ModelLoop}), and how it ends: the answer stored, measured, the last event, memory extraction and summary
 * in the background ({@link TurnEnd}). Cancellation and provider failures end the rounds; the answer is stored
 * either way.
 */
@Service
class ChatService {

    private static final Logger log = LoggerFactory.getLogger(ChatService.class);

    private final ConversationService conversations;
    private final AgentService agents;
    private final ExperimentService experiments;
    private final ChatProviders providers;
    private final OrchestrationProperties properties;
    private final ActiveTurns active;
    private final ContextWindow window;
    private final ModelLoop loop;
    private final TurnEnd end;
    private final Quotas quotas;

    ChatService(
            ConversationService conversations,
            AgentService agents,
            ExperimentService experiments,
            ChatProviders providers,
            OrchestrationProperties properties,
            ActiveTurns active,
            ContextWindow window,
            ModelLoop loop,
            TurnEnd end,
            Quotas quotas) {
        this.conversations = conversations;
        this.agents = agents;
        this.experiments = experiments;
        this.providers = providers;
        this.properties = properties;
        this.active = active;
        this.window = window;
        this.loop = loop;
        this.end = end;
        this.quotas = quotas;
    }

    /** Refuses with a 4xx what cannot run — before anything is streamed, so bad input is always a problem. */
    Turn prepare(Caller caller, UUID conversationId, ChatRequest request) {
        return prepare(caller, conversationId, request, null);
    }

    /**
     * {@link #prepare(Caller, UUID, ChatRequest)} for a turn pinned to version {@code agentVersion} of the agent (null:
     * its current version).
     */
    Turn prepare(Caller caller, UUID conversationId, ChatRequest request, Integer agentVersion) {
        if (!caller.canWrite()) {
            throw AgencyException.forbidden("Viewers cannot send messages");
        }
        if (request.content().length() > properties.maxContentLength()) {
            throw AgencyException.invalidField(
                    "content", "must be at most " + properties.maxContentLength() + " characters");
        }
        Conversation conversation = conversations.get(caller, conversationId);
        quotas.requireBelow(caller, Quotas.TOKENS_PER_DAY); // 429 naming the quota (a few seconds stale at most)
        Agent agent = agents.at(caller, conversation.agentId(), agentVersion);
        UUID experimentId = null;
        if (agentVersion == null && agent.runningExperiment() != null) {
            Optional<ExperimentService.Assignment> assigned =
                    experiments.assign(caller.id(), agent.runningExperiment());
            if (assigned.isPresent()) {
                experimentId = assigned.get().experimentId();
                agent = agents.at(caller, agent.id(), assigned.get().version());
            }
        }
        AgentModel model = AgentModel.of(agent, providers, properties.defaultModel());
        return new Turn(caller, conversation, agent, model, request.content().strip(), Instant.now(), experimentId);
    }

    /**
     * Runs the turn, telling {@code events} its progress (api.md: {@code start}, {@code memory}, {@code tool_call},
     * {@code tool_result}, {@code token}, {@code degraded}, then {@code end} or {@code error}); the stored answer. A
     * non-streaming turn's provider failure is thrown as a problem (429, 502, 503).
     */
    StoredMessage run(Turn turn, TurnEvents events, boolean streaming) {
        ContextWindow.History history = window.history(turn);
        conversations.append(turn.caller(), userMessage(turn));
        UUID answerId = UUID.randomUUID();
        ActiveTurns.Handle handle =
                active.start(answerId, turn.conversation().id(), turn.caller().id());
        TurnState state = new TurnState(answerId, handle, events, streaming);
        try {
            state.events()
                    .emit(
                            "start",
                            Map.of(
                                    "messageId",
                                    answerId,
                                    "conversationId",
                                    turn.conversation().id()));
            loop.run(turn, window.messages(turn, history, state), state);
        } catch (TurnEvents.Cancelled cancelled) {
            state.cancel();
        } catch (RuntimeException e) {
            if (handle.cancelled()) {
                state.cancel(); // a stream cut off by the cancel may surface as any error
            } else {
                ProviderFailure failure = ProviderFailure.of(e);
                state.fail(failure);
                log.warn(
                        "chat turn {} failed at provider {}: {} (HTTP {})",
                        answerId,
                        turn.model().provider(),
                        failure.type().code(),
                        failure.status());
            }
        } finally {
            active.finish(handle);
        }
        return end.finish(turn, history, state);
    }

    private static StoredMessage userMessage(Turn turn) {
        return new StoredMessage(
                UUID.randomUUID(),
                turn.conversation().id(),
                StoredMessage.USER,
                turn.content(),
                null,
                null,
                "complete",
                null,
                null,
                null,
                null,
                null,
                null);
    }
}
