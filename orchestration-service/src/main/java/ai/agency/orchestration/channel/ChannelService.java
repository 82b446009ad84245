package ai.agency.orchestration.channel;

import ai.agency.common.error.AgencyException;
import ai.agency.common.limit.UserConcurrencyLimit;
import ai.agency.common.page.Cursor;
import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.OrchestrationProperties;
import ai.agency.orchestration.StoredCaller;
import ai.agency.orchestration.agent.Agent;
import ai.agency.orchestration.agent.AgentService;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Agent channels: a message posted to a channel is persisted with one delivery row per other participant. A
 * participant receives it when the message type is {@code message} or one of its capabilities (otherwise the
 * delivery is recorded as {@code skipped}); it answers through the chat loop, and its answer is posted to the channel
 * as a {@code reply} (replies are not delivered again, so agents do not talk in circles). A failed delivery is tried
 * again up to {@code channel-delivery-attempts} times and then recorded as {@code failed} with its error. A channel has
 * at most {@code agency.orchestration.channels.max-participants} agents, and a post is accepted only when a delivery
 * slot of the channel's owner is free within {@code max-wait} (see {@link ChannelDeliveries}), so one request starts a
 * bounded number of agent turns and one user a bounded number at once.
 */
@Service
class ChannelService {

    private final ChannelRepository repository;
    private final AgentService agents;
    private final ChannelDeliveries deliveries;
    private final TransactionTemplate tx;
    private final JsonMapper json;
    private final int maxParticipants;

    ChannelService(
            ChannelRepository repository,
            AgentService agents,
            ChannelDeliveries deliveries,
            TransactionTemplate tx,
            JsonMapper json,
            OrchestrationProperties properties) {
        this.repository = repository;
        this.agents = agents;
        this.deliveries = deliveries;
        this.tx = tx;
        this.json = json;
        this.maxParticipants = properties.channels().maxParticipants();
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
        if (participants.size() > maxParticipants) {
            throw AgencyException.invalidField(
                    "participants",
                    "at most " + maxParticipants + " agents (each post starts one agent turn per other participant)");
        }
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

    /**
     * Deletes the caller's channel, its messages and their deliveries; a delivery being answered at that moment
     * finds its rows gone and stores nothing. Someone else's channel is not found (404).
     */
    void delete(Caller caller, UUID id) {
        requireWriter(caller);
        if (!repository.deleteChannel(id, caller.id(), caller.isAdmin())) {
            throw AgencyException.notFound("Channel", id);
        }
    }

    /**
     * Persists the message with one delivery per other participant (in one transaction), then delivers it to those
     * that accept its type; see {@link ChannelDeliveries}.
     */
    UUID post(Caller caller, UUID channelId, MessageRequest request) {
        requireWriter(caller);
        ChannelRepository.Channel channel = get(caller, channelId);
        if (channel.participants().size() > maxParticipants) { // created before the limit existed
            throw AgencyException.conflict(
                    "This channel has " + channel.participants().size() + " participants, more than the "
                            + maxParticipants + " allowed; create a smaller channel");
        }
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
        ObjectNode identity = StoredCaller.toJson(caller, json);
        List<UUID> recipients = new ArrayList<>();
        for (UUID recipient : channel.participants()) {
            if (recipient.equals(request.senderId())) {
                continue;
            }
            Agent agent = agents.get(caller, recipient);
            if ("message".equals(request.type()) || agent.capabilities().contains(request.type())) {
                recipients.add(recipient);
            }
        }
        // the slot is taken before anything is stored: a refused post leaves no message behind
        UserConcurrencyLimit.Permit permit = recipients.isEmpty() ? null : deliveries.admit(channel.ownerId());
        try {
            tx.executeWithoutResult(status -> {
                repository.insertMessage(
                        messageId,
                        channelId,
                        channel.ownerId(),
                        request.senderId(),
                        request.type(),
                        request.content(),
                        null,
                        identity);
                for (UUID recipient : channel.participants()) {
                    if (!recipient.equals(request.senderId())) {
                        repository.insertDelivery(
                                messageId,
                                recipient,
                                channel.ownerId(),
                                recipients.contains(recipient) ? "pending" : "skipped",
                                deliveries.instance(),
                                deliveries.leaseMs());
                    }
                }
            });
        } catch (RuntimeException e) {
            if (permit != null) {
                permit.close();
            }
            throw e;
        }
        if (permit != null) {
            deliveries.start(messageId, List.copyOf(recipients), permit);
        }
        return messageId;
    }

    Page<ChannelRepository.Message> messages(Caller caller, UUID channelId, Integer limit, String cursor) {
        ChannelRepository.Channel channel = get(caller, channelId);
        int size = Page.limit(limit);
        List<ChannelRepository.Row> rows = repository.messages(channelId, channel.ownerId(), Cursor.seq(cursor), size);
        return Page.of(rows, size, ChannelRepository.Row::message, r -> Cursor.of(r.seq()));
    }

    private static void requireWriter(Caller caller) {
        if (!caller.canWrite()) {
            throw AgencyException.forbidden("Viewers cannot change channels");
        }
    }
}
