package ai.agency.orchestration.chat;

/**
 * Where a turn reports its progress: the chat SSE events of {@code api.md} ({@code start}, {@code token},
 * {@code tool_call}, {@code tool_result}, {@code memory}, {@code degraded} (data: {@link Degraded}), {@code end},
 * {@code error}). A non-streaming turn ignores
 * them. {@link #emit} throws {@link Cancelled} once the client has gone away.
 */
interface TurnEvents {

    TurnEvents NONE = (name, data) -> {};

    void emit(String name, Object data);

    /** The client closed the stream: the turn stops and is persisted as cancelled. */
    final class Cancelled extends RuntimeException {
        Cancelled(Throwable cause) {
            super("the client closed the stream", cause, false, false);
        }
    }
}
