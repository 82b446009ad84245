package ai.agency.orchestration.channel;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.OrchestrationProperties;
import ai.agency.orchestration.agent.Agent;
import ai.agency.orchestration.agent.AgentService;
import ai.agency.orchestration.chat.AgentTurns;
import ai.agency.orchestration.conversation.Cursor;
import ai.agency.orchestration.conversation.Page;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Agent channels: a message posted to a channel is persisted with one delivery row per other participant. A
 * participant receives it when the message type is {@code message} or one of its capabilities (otherwise the
 * delivery is recorded as {@code skipped}); it answers through the chat loop, and its answer is posted to the channel
 * as a {@code reply} (replies are not delivered again, so agents do not talk in circles). A failed delivery is tried
 * again up to {@code channel-delivery-attempts} times and then recorded as {@code failed} with its error.
 */
@Service
class ChannelService {

    private static final Logger log = LoggerFactory.getLogger(ChannelService.class);

    private final ChannelRepository repository;
    private final AgentService agents;
    private final AgentTurns turns;
    private final JsonMapper json;
    private final int attempts;
    private final ExecutorService deliveries = Executors.newVirtualThreadPerTaskExecutor();

    ChannelService(
            ChannelRepository repository,
            AgentService agents,
            AgentTurns turns,
            JsonMapper json,
            OrchestrationProperties properties) {
        this.repository = repository;
        this.agents = agents;
        this.turns = turns;
        this.json = json;
        this.attempts = properties.workflows().channelDeliveryAttempts();
    }

    @PreDestroy
    void stop() {
        deliveries.shutdownNow();
    }

    record ChannelRequest(String name, List<UUID> participants) {}

    record MessageRequest(UUID senderId, String type, JsonNode content) {}

    ChannelRepository.Channel create(Caller caller, ChannelRequest request) {
        requireWriter(caller);
        if (request.name() == null || request.name().isBlank() || request.name().length() > 200) {
            throw AgencyException.invalidField("name", "must be 1-200 characters");
        }
        if (request.participants() == null || request.participants().isEmpty()) {
            throw AgencyException.invalidField("participants", "must name at least one agent");
        }
        List<UUID> participants = new ArrayList<>(new LinkedHashSet<>(request.participants()));
        for (UUID agentId : participants) {
            try {
                agents.get(caller, agentId);
            } catch (AgencyException e) {
                throw AgencyException.invalidField("participants", "unknown agent " + agentId);
            }
        }
        ChannelRepository.Channel channel = new ChannelRepository.Channel(
                UUID.randomUUID(), caller.id(), request.name().strip(), participants);
        repository.insertChannel(channel);
        return channel;
    }

    ChannelRepository.Channel get(Caller caller, UUID id) {
        return repository
                .findChannel(id, caller.id(), caller.isAdmin())
                .orElseThrow(() -> AgencyException.notFound("Channel", id));
    }

    UUID post(Caller caller, UUID channelId, MessageRequest request) {
        requireWriter(caller);
        ChannelRepository.Channel channel = get(caller, channelId);
        if (request.senderId() == null || !channel.participants().contains(request.senderId())) {
            throw AgencyException.invalidField("senderId", "must be a participant of the channel");
        }
        if (request.type() == null || request.type().isBlank() || request.type().length() > 64) {
            throw AgencyException.invalidField("type", "must be 1-64 characters");
        }
        if (request.content() == null || request.content().isNull()) {
            throw AgencyException.invalidField("content", "must not be empty");
        }
        UUID messageId = UUID.randomUUID();
        repository.insertMessage(
                messageId, channelId, channel.ownerId(), request.senderId(), request.type(), request.content(), null);
        for (UUID recipient : channel.participants()) {
            if (recipient.equals(request.senderId())) {
                continue;
            }
            Agent agent = agents.get(caller, recipient);
            boolean accepts =
                    "message".equals(request.type()) || agent.capabilities().contains(request.type());
            repository.insertDelivery(messageId, recipient, channel.ownerId(), accepts ? "pending" : "skipped");
            if (accepts) {
                deliveries.execute(() -> deliver(caller, channel, messageId, agent, request));
            }
        }
        return messageId;
    }

    private void deliver(
            Caller caller, ChannelRepository.Channel channel, UUID messageId, Agent agent, MessageRequest request) {
        String text = request.content().isString()
                ? request.content().asString()
                : request.content().toString();
        for (int attempt = 1; ; attempt++) {
            try {
                String answer = turns.ask(caller, agent.id(), "Channel " + channel.name(), text)
                        .content();
                UUID replyId = UUID.randomUUID();
                repository.insertMessage(
                        replyId,
                        channel.id(),
                        channel.ownerId(),
                        agent.id(),
                        "reply",
                        json.getNodeFactory().stringNode(answer),
                        messageId);
                repository.deliveryOutcome(messageId, agent.id(), "delivered", attempt, replyId, null);
                return;
            } catch (RuntimeException e) {
                ErrorType type = e instanceof AgencyException a ? a.errorType() : ErrorClassifier.classify(e);
                boolean last = attempt >= attempts || !type.recoverable();
                repository.deliveryOutcome(
                        messageId,
                        agent.id(),
                        last ? "failed" : "pending",
                        attempt,
                        null,
                        json.createObjectNode().put("errorType", type.code()).put("message", e.getMessage()));
                if (last) {
                    log.warn(
                            "channel {} message {} was not delivered to agent {}: {}",
                            channel.id(),
                            messageId,
                            agent.id(),
                            type.code());
                    return;
                }
                try {
                    Thread.sleep(200L << attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    Page<ChannelRepository.Message> messages(Caller caller, UUID channelId, Integer limit, String cursor) {
        ChannelRepository.Channel channel = get(caller, channelId);
        int size = Cursor.limit(limit);
        List<ChannelRepository.Row> rows =
                repository.messages(channelId, channel.ownerId(), Cursor.decode(cursor), size);
        boolean more = rows.size() > size;
        List<ChannelRepository.Row> shown = more ? rows.subList(0, size) : rows;
        return new Page<>(
                shown.stream().map(ChannelRepository.Row::message).toList(),
                more ? Cursor.encode(shown.getLast().seq()) : null);
    }

    private static void requireWriter(Caller caller) {
        if (!caller.canWrite()) {
            throw AgencyException.forbidden("Viewers cannot change channels");
        }
    }
}
