package ai.agency.orchestration.channel;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.common.limit.UserConcurrencyLimit;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.OrchestrationProperties;
import ai.agency.orchestration.StoredCaller;
import ai.agency.orchestration.chat.AgentTurns;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
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
 *
 * <p>What a post may cost is bounded ({@code agency.orchestration.channels}): a message is delivered by one task that
 * answers its recipients one after another, and a task runs only while it holds a slot of {@link #slots}: at most
 * {@code concurrent-deliveries-per-user} messages of one user (the channel's owner) and {@code concurrent-deliveries}
 * in all, on an executor of that many threads. A post waits up to {@code max-wait} for its slot, then is refused (429
 * for the user's slots, 503 for the instance's); a sweep takes only slots that are free at once and hands the other
 * claims back for a later sweep.
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
    private final UserConcurrencyLimit slots;
    private final ThreadPoolExecutor threads;
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
            OrchestrationProperties properties,
            ObjectProvider<MeterRegistry> meters) {
        this.repository = repository;
        this.turns = turns;
        this.tx = tx;
        this.json = json;
        this.settings = properties.workflows();
        this.instance = hostName() + "/" + UUID.randomUUID();
        OrchestrationProperties.Channels limits = properties.channels();
        this.slots = new UserConcurrencyLimit(
                "channel deliveries",
                limits.concurrentDeliveriesPerUser(),
                limits.concurrentDeliveries(),
                limits.maxWait(),
                meters.getIfAvailable());
        int size = limits.concurrentDeliveries();
        // every task holds a slot, so at most `size` run or wait here; the queue only absorbs a slot given back just
        // before its thread is free again
        this.threads = new ThreadPoolExecutor(
                size,
                size,
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(size),
                Thread.ofVirtual().name("channel-delivery-", 0).factory());
        this.threads.allowCoreThreadTimeOut(true);
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

    /**
     * A delivery slot for a message of {@code owner}'s channel, waiting up to {@code max-wait}; refused with 429 (the
     * owner's slots are busy) or 503 (the instance's are). Pass it to {@link #start}.
     */
    UserConcurrencyLimit.Permit admit(UUID owner) {
        return slots.acquire(owner);
    }

    /**
     * Claims the pending deliveries nobody holds and starts those whose owner and this instance have a free slot now;
     * the others are handed back for a later sweep. How many deliveries were started.
     */
    int sweep() {
        if (stopping) {
            return 0;
        }
        Map<UUID, List<ChannelRepository.Claim>> byMessage = new LinkedHashMap<>();
        for (ChannelRepository.Claim claim : repository.claimAbandoned(instance, leaseMs(), 100)) {
            byMessage.computeIfAbsent(claim.messageId(), m -> new ArrayList<>()).add(claim);
        }
        int started = 0;
        for (List<ChannelRepository.Claim> claims : byMessage.values()) {
            ChannelRepository.Claim first = claims.getFirst();
            Optional<UserConcurrencyLimit.Permit> permit = slots.tryAcquire(first.userId());
            if (permit.isEmpty()) {
                repository.releaseClaims(instance, first.messageId());
                continue;
            }
            List<UUID> recipients =
                    claims.stream().map(ChannelRepository.Claim::recipientId).toList();
            log.info("redelivering channel message {} to agents {}", first.messageId(), recipients);
            start(first.messageId(), recipients, permit.get());
            started += recipients.size();
        }
        return started;
    }

    /**
     * Delivers a message this instance has claimed to {@code recipients}, one after another, on the bounded executor;
     * the slot is given back when the last is done.
     */
    void start(UUID messageId, List<UUID> recipients, UserConcurrencyLimit.Permit permit) {
        if (stopping) {
            permit.close(); // stop() hands the claims back
            return;
        }
        try {
            threads.execute(() -> deliverAll(messageId, recipients, permit));
        } catch (RejectedExecutionException e) {
            permit.close();
            repository.releaseClaims(instance, messageId); // a later sweep delivers it
        }
    }

    private void deliverAll(UUID messageId, List<UUID> recipients, UserConcurrencyLimit.Permit permit) {
        try (permit) {
            for (UUID recipient : recipients) {
                if (stopping) {
                    return;
                }
                try {
                    deliver(messageId, recipient);
                } catch (RuntimeException e) {
                    log.warn(
                            "delivering channel message {} to agent {} failed: {}", messageId, recipient, e.toString());
                }
            }
            if (!stopping) {
                // what is still pending and ours here was not finished (an error above): let a sweep take it
                repository.releaseClaims(instance, messageId);
            }
        } catch (RuntimeException e) {
            log.warn("could not hand back the claims on channel message {}: {}", messageId, e.toString());
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
