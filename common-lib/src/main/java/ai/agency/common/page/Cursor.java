package ai.agency.common.page;

import ai.agency.common.error.AgencyException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The opaque {@code ?cursor=} of every list: the position of the last item shown, base64url without padding. A
 * position is either a row's sequence number ({@code "s42"}) or a keyset of creation time and id
 * ({@code "2026-01-01T00:00:00Z|<uuid>"}). Clients never read it; anything that is not a cursor we issued — too long,
 * not base64url, base64url of something else — is a 400 problem naming {@code cursor}, never a 500.
 */
public final class Cursor {

    /** Longer than any cursor we issue (a keyset is about 90 characters), short enough to reject floods at once. */
    static final int MAX_LENGTH = 200;

    /** {@code s} and a sequence number; the bare number is what auth-service's audit log issued before. */
    private static final Pattern SEQ = Pattern.compile("s?\\d{1,19}");

    /** A keyset position: the creation time and id of the last item shown. */
    public record Keyset(Instant createdAt, UUID id) {}

    private Cursor() {}

    /** The cursor after the row with this sequence number. */
    public static String of(long seq) {
        return encode("s" + seq);
    }

    /** The cursor after the item created at {@code createdAt} with this id. */
    public static String of(Instant createdAt, UUID id) {
        return encode(createdAt + "|" + id);
    }

    /** The sequence number a cursor of {@link #of(long)} names; null for no cursor; 400 for anything else. */
    public static @Nullable Long seq(@Nullable String cursor) {
        String text = decode(cursor);
        if (text == null) {
            return null;
        }
        if (!SEQ.matcher(text).matches()) {
            throw notOurs();
        }
        try {
            return Long.parseLong(text.startsWith("s") ? text.substring(1) : text);
        } catch (NumberFormatException e) {
            throw notOurs();
        }
    }

    /** The keyset a cursor of {@link #of(Instant, UUID)} names; null for no cursor; 400 for anything else. */
    public static @Nullable Keyset keyset(@Nullable String cursor) {
        String text = decode(cursor);
        if (text == null) {
            return null;
        }
        int bar = text.indexOf('|');
        if (bar < 0) {
            throw notOurs();
        }
        try {
            return new Keyset(Instant.parse(text.substring(0, bar)), UUID.fromString(text.substring(bar + 1)));
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw notOurs();
        }
    }

    private static String encode(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    /** The position text; null for a missing or blank cursor (the first page). */
    private static @Nullable String decode(@Nullable String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        if (cursor.length() > MAX_LENGTH) {
            throw notOurs();
        }
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(cursor);
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            throw notOurs();
        }
    }

    private static AgencyException notOurs() {
        return AgencyException.invalidField("cursor", "is not a cursor this service issued");
    }
}
