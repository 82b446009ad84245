package ai.agency.orchestration.chat;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The chat turns running on this instance, so that {@code POST /api/v1/conversations/{id}/cancel} can stop them: a
 * cancelled turn's model stream is cut (which closes the provider connection), no further tool round runs, and what
 * was produced is persisted with {@code status: cancelled}.
 */
@Component
class ActiveTurns {

    /** One running turn. */
    static final class Handle {
        final UUID messageId;
        final UUID conversationId;
        final UUID userId;
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final Sinks.Empty<Void> signal = Sinks.empty();

        Handle(UUID messageId, UUID conversationId, UUID userId) {
            this.messageId = messageId;
            this.conversationId = conversationId;
            this.userId = userId;
        }

        boolean cancelled() {
            return cancelled.get();
        }

        /** Completes when the turn is cancelled: a model stream is taken until then. */
        Mono<Void> whenCancelled() {
            return signal.asMono();
        }

        /** Throws {@link TurnEvents.Cancelled} once the turn was cancelled. */
        void check() {
            if (cancelled.get()) {
                throw new TurnEvents.Cancelled(null);
            }
        }

        boolean cancel() {
            if (cancelled.compareAndSet(false, true)) {
                signal.tryEmitEmpty();
                return true;
            }
            return false;
        }
    }

    private final Map<UUID, Handle> running = new ConcurrentHashMap<>();

    Handle start(UUID messageId, UUID conversationId, UUID userId) {
        Handle handle = new Handle(messageId, conversationId, userId);
        running.put(messageId, handle);
        return handle;
    }

    void finish(Handle handle) {
        running.remove(handle.messageId);
    }

    /** Cancels the caller's running turns of the conversation; how many were cancelled. */
    int cancel(UUID conversationId, UUID userId) {
        int count = 0;
        for (Handle handle : running.values()) {
            if (handle.conversationId.equals(conversationId) && handle.userId.equals(userId) && handle.cancel()) {
                count++;
            }
        }
        return count;
    }
}
