package ai.agency.common.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class CursorTest {

    private static final Instant AT = Instant.parse("2026-12-07T15:11:26.123456Z");
    private static final UUID ID = UUID.fromString("0b5f5c7e-8a43-4b0e-9d6e-3f6f1c2a9e11");

    @Test
    void aSequenceNumberComesBackFromItsCursor() {
        for (long seq : List.of(0L, 1L, 42L, Long.MAX_VALUE)) {
            assertThat(Cursor.seq(Cursor.of(seq))).isEqualTo(seq);
        }
    }

    @Test
    void aKeysetComesBackFromItsCursor() {
        assertThat(Cursor.keyset(Cursor.of(AT, ID))).isEqualTo(new Cursor.Keyset(AT, ID));
        assertThat(Cursor.keyset(Cursor.of(Instant.EPOCH, ID))).isEqualTo(new Cursor.Keyset(Instant.EPOCH, ID));
    }

    @Test
    void cursorsAreOpaqueUrlSafeAndShort() {
        for (String cursor : List.of(Cursor.of(Long.MAX_VALUE), Cursor.of(AT, ID))) {
            assertThat(cursor).matches("[A-Za-z0-9_-]+").hasSizeLessThan(Cursor.MAX_LENGTH);
        }
    }

    @Test
    void noCursorIsTheFirstPage() {
        for (String none : new String[] {null, "", "  "}) {
            assertThat(Cursor.seq(none)).isNull();
            assertThat(Cursor.keyset(none)).isNull();
        }
    }

    @Test
    void cursorsHandedOutBeforeTheSharedCodecStillDecode() {
        // orchestration's "s<seq>", auth's audit log "<id>", memory/tools/sessions/admin users "<instant>|<uuid>"
        assertThat(Cursor.seq(base64("s17"))).isEqualTo(17L);
        assertThat(Cursor.seq(base64("17"))).isEqualTo(17L);
        assertThat(Cursor.keyset(base64(AT + "|" + ID))).isEqualTo(new Cursor.Keyset(AT, ID));
    }

    @Test
    void everyHostileCursorIsA400NamingCursor() {
        List<String> hostile = List.of(
                "not-a-cursor",
                "!!",
                "bogus!",
                "%21%21",
                "a", // not a whole base64 quantum
                "bm9wZQ==", // padded: we issue none
                "x".repeat(Cursor.MAX_LENGTH + 1),
                "A".repeat(100_000),
                base64("nope"),
                base64("s"),
                base64("s-1"),
                base64("s1e3"),
                base64("s99999999999999999999"), // overflows a long
                base64("s" + "9".repeat(30)),
                base64("|"),
                base64(AT + "|"),
                base64("|" + ID),
                base64("yesterday|" + ID),
                base64(AT + "|not-a-uuid"),
                base64("s1\u0000"),
                Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00}));
        for (String cursor : hostile) {
            assertRejected(cursor, Cursor::seq);
            assertRejected(cursor, Cursor::keyset);
        }
    }

    @Test
    void aCursorOfOneKindIsNotAcceptedAsTheOther() {
        assertRejected(Cursor.of(AT, ID), Cursor::seq);
        assertRejected(Cursor.of(42), Cursor::keyset);
    }

    private static void assertRejected(String cursor, Function<String, ?> decode) {
        AgencyException e = catchThrowableOfType(AgencyException.class, () -> decode.apply(cursor));
        assertThat(e)
                .as("cursor %s", cursor.length() > 60 ? cursor.substring(0, 60) + "…" : cursor)
                .isNotNull();
        assertThat(e.status().value()).isEqualTo(400);
        assertThat(e.errorType()).isEqualTo(ErrorType.VALIDATION);
        assertThat(e.fieldErrors())
                .extracting(AgencyException.FieldError::field)
                .containsExactly("cursor");
    }

    private static String base64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
