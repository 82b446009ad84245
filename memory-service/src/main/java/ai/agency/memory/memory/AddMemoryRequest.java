package ai.agency.memory.memory;

import ai.agency.common.error.AgencyException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Future;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Body of {@code POST /api/v1/memories}: exactly one of {@code content} and {@code messages}. With messages and
 * {@code infer=false}, each user message becomes a memory; with {@code infer=true} (the default) facts are extracted
 * from the conversation first (by the configured LLM, else by rules). {@code validFrom} is when the memories start to
 * hold (else {@code metadata.date} when it parses as a date or instant, else when they are stored); {@code supersedes}
 * names the caller's current memories that the new one ({@code content} only) closes.
 */
public record AddMemoryRequest(
        @Nullable String content,
        @Size(max = 100) @Nullable List<@NotNull @Valid Message> messages,

        @Size(max = 128) @Pattern(regexp = "[^\\p{Cntrl}]*") @Nullable
        String agentId,

        @Size(max = 128) @Pattern(regexp = "[^\\p{Cntrl}]*") @Nullable
        String sessionId,

        @Size(max = 32) @Nullable List<@NotBlank @Size(max = 64) String> tags,
        @DecimalMin("0") @DecimalMax("1") @Nullable Double importance,
        @Size(max = 64) @Nullable Map<String, Object> metadata,
        @Future @Nullable Instant expiresAt,
        @Nullable Boolean infer,
        @Nullable Instant validFrom,
        @Size(max = 100) @Nullable List<@NotNull UUID> supersedes) {

    /** One chat message. */
    public record Message(
            @NotBlank @Pattern(regexp = "user|assistant|system|tool")
            String role,

            @NotBlank String content) {}

    private static void requireLength(String field, String text, int maxLength) {
        if (text.length() > maxLength) {
            throw AgencyException.invalidField(field, "is longer than " + maxLength + " characters");
        }
    }

    /** The memories the caller names as closed by this one; only with {@code content} (one fact). */
    List<UUID> supersedesOrNone() {
        if (supersedes == null || supersedes.isEmpty()) {
            return List.of();
        }
        if (content == null) {
            throw AgencyException.invalidField(
                    "supersedes",
                    "needs 'content' (one fact); from messages, the extraction finds what a fact supersedes");
        }
        return supersedes.stream().distinct().toList();
    }

    /**
     * When the new memories start to hold: {@code validFrom}, else {@code metadata.date} when it is an ISO instant,
     * date-time or date (a date or a date-time without offset is read as UTC), else null (the time of storing).
     */
    @Nullable
    Instant validFromOrDate() {
        if (validFrom != null) {
            return validFrom;
        }
        Object date = metadata == null ? null : metadata.get("date");
        return date instanceof String text ? parseDate(text.strip()) : null;
    }

    static @Nullable Instant parseDate(String text) {
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException notWithOffset) {
            // try the forms without an offset
        }
        try {
            return java.time.LocalDateTime.parse(text).toInstant(java.time.ZoneOffset.UTC);
        } catch (java.time.format.DateTimeParseException notDateTime) {
            // try a date
        }
        try {
            return java.time.LocalDate.parse(text)
                    .atStartOfDay(java.time.ZoneOffset.UTC)
                    .toInstant();
        } catch (java.time.format.DateTimeParseException notDate) {
            return null;
        }
    }

    /** True when facts should be extracted from {@code messages} (the default). */
    boolean inferFacts() {
        return messages != null && (infer == null || infer);
    }

    /** The texts to store, after checking that exactly one of content/messages was given. */
    List<String> texts(int maxLength) {
        if ((content != null) == (messages != null)) {
            throw AgencyException.invalidField("content", "give exactly one of 'content' and 'messages'");
        }
        if (content != null) {
            if (content.isBlank()) {
                throw AgencyException.invalidField("content", "must not be blank");
            }
            requireLength("content", content, maxLength);
            return List.of(content.strip());
        }
        List<Message> turns = java.util.Objects.requireNonNull(messages); // exactly one of the two is set
        for (int i = 0; i < turns.size(); i++) {
            requireLength("messages[" + i + "].content", turns.get(i).content(), maxLength);
        }
        List<String> texts = turns.stream()
                .filter(m -> m.role().equals("user"))
                .map(m -> m.content().strip())
                .distinct()
                .toList();
        if (texts.isEmpty()) {
            throw AgencyException.invalidField("messages", "must contain at least one user message");
        }
        return texts;
    }
}
