package ai.agency.orchestration.channel;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.OrchestrationProperties;
import ai.agency.orchestration.StoredCaller;
import ai.agency.orchestration.chat.AgentTurns;
import jakarta.annotation.PreDestroy;
import java.net.InetAddress;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Executes channel deliveries so that none is lost when an instance stops. Each pending delivery is claimed by one
 * instance with a lease ({@code claimed_by}, {@code claimed_until}, renewed while it works). A stopping instance
 * releases its claims; every {@code recovery-interval} (and at start-up) every instance claims the pending deliveries
 * that nobody holds or whose lease expired ({@code FOR UPDATE SKIP LOCKED}) and executes them. The outcome is only
 * written by the holder of the claim, and a reply is inserted in the same transaction that marks the delivery
 * {@code delivered}, so each recipient's answer is recorded exactly once; the agent's chat turn itself may run again
 * when an instance stopped in the middle of it.
 */
@Component
class ChannelDeliveries {

    private static final Logger log = LoggerFactory.getLogger(ChannelDeliveries.class);

    private final ChannelRepository repository;
    private final AgentTurns turns;
    private final TransactionTemplate tx;
    private final JsonMapper json;
    private final OrchestrationProperties.Workflows settings;
    private final String instance;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "channel-delivery-sweep");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopping;

    ChannelDeliveries(
            ChannelRepository repository,
            AgentTurns turns,
            TransactionTemplate tx,
            JsonMapper json,
            OrchestrationProperties properties) {
        this.repository = repository;
        this.turns = turns;
        this.tx = tx;
        this.json = json;
        this.settings = properties.workflows();
        this.instance = hostName() + "/" + UUID.randomUUID();
    }

    String instance() {
        return instance;
    }

    long leaseMs() {
        return settings.lease().toMillis();
    }

    @EventListener(ApplicationReadyEvent.class)
    void startSweeping() {
        sweeper.scheduleWithFixedDelay(
                () -> quietly(this::sweep), 0, settings.recoveryInterval().toMillis(), TimeUnit.MILLISECONDS);
        long renew = Math.max(100, leaseMs() / 3);
        sweeper.scheduleWithFixedDelay(
                () -> quietly(() -> repository.renewClaims(instance, leaseMs())), renew, renew, TimeUnit.MILLISECONDS);
    }

    private void quietly(Runnable work) {
        try {
            if (!stopping) {
                work.run();
            }
        } catch (RuntimeException e) {
            log.warn("channel delivery sweep failed: {}", e.toString());
        }
    }

    /** Claims the pending deliveries nobody holds and starts them; how many. */
    int sweep() {
        if (stopping) {
            return 0;
        }
        List<ChannelRepository.Claim> claims = repository.claimAbandoned(instance, leaseMs(), 100);
        for (ChannelRepository.Claim claim : claims) {
            log.info("redelivering channel message {} to agent {}", claim.messageId(), claim.recipientId());
            start(claim.messageId(), claim.recipientId());
        }
        return claims.size();
    }

    /** Executes a delivery this instance has claimed, on its own virtual thread. */
    void start(UUID messageId, UUID recipientId) {
        if (!stopping) {
            threads.execute(() -> deliver(messageId, recipientId));
        }
    }

    /** Stops delivering without writing anything more and hands the pending deliveries back. */
    @PreDestroy
    void stop() {
        stopping = true;
        sweeper.shutdownNow();
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            repository.releaseClaims(instance);
        } catch (RuntimeException e) {
            log.warn("could not release the claims of {} on channel deliveries: {}", instance, e.toString());
        }
    }

    private void deliver(UUID messageId, UUID recipientId) {
        ChannelRepository.PendingDelivery delivery =
                repository.pending(messageId, recipientId, instance).orElse(null);
        if (delivery == null) {
            return; // delivered, failed, or taken over meanwhile
        }
        String text = delivery.content().isString()
                ? delivery.content().asString()
                : delivery.content().toString();
        for (int attempt = delivery.attempts() + 1; ; attempt++) {
            try {
                Caller caller = caller(delivery.caller());
                String answer = turns.ask(caller, recipientId, "Channel " + delivery.channelName(), text)
                        .content();
                if (stopping) {
                    return; // the turn may have been cut short by the shutdown: deliver it again later
                }
                UUID replyId = UUID.randomUUID();
                int done = attempt;
                tx.executeWithoutResult(status -> {
                    if (repository.deliveryOutcome(
                            messageId, recipientId, instance, "delivered", done, replyId, null)) {
                        repository.insertMessage(
                                replyId,
                                delivery.channelId(),
                                delivery.ownerId(),
                                recipientId,
                                "reply",
                                json.getNodeFactory().stringNode(answer),
                                messageId);
                    }
                });
                repository.forgetTokenWhenDone(messageId);
                return;
            } catch (RuntimeException e) {
                if (stopping) {
                    return; // the claim is released; another instance (or this one, restarted) delivers it
                }
                ErrorType type = e instanceof AgencyException a ? a.errorType() : ErrorClassifier.classify(e);
                boolean last = attempt >= settings.channelDeliveryAttempts() || !type.recoverable();
                boolean held = repository.deliveryOutcome(
                        messageId,
                        recipientId,
                        instance,
                        last ? "failed" : "pending",
                        attempt,
                        null,
                        json.createObjectNode().put("errorType", type.code()).put("message", e.getMessage()));
                if (!held || last) {
                    if (last) {
                        log.warn(
                                "channel {} message {} was not delivered to agent {}: {}",
                                delivery.channelId(),
                                messageId,
                                recipientId,
                                type.code());
                        repository.forgetTokenWhenDone(messageId);
                    }
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

    /** The identity a message's deliveries act as: the user who posted it. */
    private static Caller caller(JsonNode node) {
        if (node == null || node.path("token").asString(null) == null) {
            throw AgencyException.unauthenticated("The poster's credentials are no longer stored");
        }
        return StoredCaller.fromJson(node, node.path("token").asString());
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "orchestration";
        }
    }
}
