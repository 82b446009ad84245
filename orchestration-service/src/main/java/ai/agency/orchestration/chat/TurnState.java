package ai.agency.orchestration.chat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * One running turn, as its stages ({@link ContextWindow}, {@link ModelLoop}, {@link TurnEnd}) share it: the answer
 * and what went into it (tool calls, memories used, tokens, tool rounds), how it ended, and the parts that could not
 * run. Its {@link #events()} stop the turn once it was cancelled; {@link #client()} are the caller's own, for the
 * {@code end} that tells a client still there that its turn was cancelled.
 */
final class TurnState {

    static final String COMPLETE = "complete";
    static final String CANCELLED = "cancelled";
    static final String FAILED = "failed";

    private final UUID answerId;
    private final ActiveTurns.Handle handle;
    private final TurnEvents client;
    private final TurnEvents events;
    private final boolean streaming;
    private final StringBuilder answer = new StringBuilder();
    private final StringBuilder streamed = new StringBuilder(); // what the current model step has streamed so far
    private final List<JsonNode> toolCalls = new ArrayList<>();
    private final Map<String, String> skipped = new LinkedHashMap<>(); // parts of the turn that could not run, and why
    private List<JsonNode> memoriesUsed = List.of();
    private long promptTokens;
    private long completionTokens;
    private int toolRounds;
    private boolean firstToken;
    private Instant firstTokenAt;
    private String status = COMPLETE;
    private ProviderFailure failure;

    TurnState(UUID answerId, ActiveTurns.Handle handle, TurnEvents client, boolean streaming) {
        this.answerId = answerId;
        this.handle = handle;
        this.client = client;
        this.streaming = streaming;
        this.events = (name, data) -> {
            handle.check();
            client.emit(name, data);
        };
    }

    UUID answerId() {
        return answerId;
    }

    ActiveTurns.Handle handle() {
        return handle;
    }

    /** The client's events, refused with {@link TurnEvents.Cancelled} once the turn was cancelled. */
    TurnEvents events() {
        return events;
    }

    TurnEvents client() {
        return client;
    }

    boolean streaming() {
        return streaming;
    }

    /** Where a model step streams its text; empty when a step begins and once it has answered. */
    StringBuilder streamed() {
        return streamed;
    }

    /** A model step answered: its text joins the answer. */
    void answered(AgentModel.Step step) {
        streamed.setLength(0);
        answer.append(step.text());
    }

    void addUsage(AgentModel.Step step) {
        promptTokens += step.promptTokens();
        completionTokens += step.completionTokens();
    }

    void addToolRound() {
        toolRounds++;
    }

    void addToolCall(JsonNode call) {
        toolCalls.add(call);
    }

    void memoriesUsed(List<JsonNode> used) {
        memoriesUsed = used;
    }

    /** A token reached the client; true for the first one only, which is measured. */
    boolean tokenReceived() {
        if (firstToken) {
            return false;
        }
        firstToken = true;
        firstTokenAt = Instant.now();
        return true;
    }

    boolean tokenSeen() {
        return firstToken;
    }

    /** When the first streamed token reached the client, or null. */
    Instant firstTokenAt() {
        return firstTokenAt;
    }

    /** Tool calls whose result was a failure. */
    long toolErrors() {
        return toolCalls.stream()
                .filter(call -> !call.path("result").path("success").asBoolean(true))
                .count();
    }

    /** Announces once per part that it was skipped: a {@code degraded} event (api.md). */
    void degrade(String part, String reason) {
        if (skipped.putIfAbsent(part, reason) == null) {
            events.emit("degraded", new Degraded(List.of(part), reason));
        }
    }

    /** Notes a skipped part without an event (the caller tells it in its own words). */
    void skip(String part, String reason) {
        skipped.put(part, reason);
    }

    boolean skipped(String part) {
        return skipped.containsKey(part);
    }

    boolean degraded() {
        return !skipped.isEmpty();
    }

    /** Cancelled (by the client or the cancel endpoint): what the current step streamed is kept. */
    void cancel() {
        status = CANCELLED;
        answer.append(streamed);
    }

    /** The model provider failed: what the current step streamed is kept. */
    void fail(ProviderFailure failure) {
        answer.append(streamed);
        status = FAILED;
        this.failure = failure;
    }

    String answer() {
        return answer.toString();
    }

    List<JsonNode> toolCalls() {
        return toolCalls;
    }

    List<JsonNode> memoriesUsed() {
        return memoriesUsed;
    }

    long promptTokens() {
        return promptTokens;
    }

    long completionTokens() {
        return completionTokens;
    }

    int toolRounds() {
        return toolRounds;
    }

    String status() {
        return status;
    }

    boolean cancelled() {
        return CANCELLED.equals(status);
    }

    /** The provider's failure, or null. */
    ProviderFailure failure() {
        return failure;
    }
}
