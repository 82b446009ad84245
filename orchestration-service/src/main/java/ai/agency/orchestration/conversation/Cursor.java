package ai.agency.orchestration.conversation;

import ai.agency.common.error.AgencyException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The opaque {@code ?cursor=}: the position (a row's sequence number) after which the next page starts. */
public final class Cursor {

    private Cursor() {}

    public static String encode(long seq) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("s" + seq).getBytes(StandardCharsets.UTF_8));
    }

    public static Long decode(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!text.startsWith("s")) {
                throw new IllegalArgumentException(text);
            }
            return Long.parseLong(text.substring(1));
        } catch (IllegalArgumentException e) {
            throw AgencyException.invalidField("cursor", "is not a cursor this service issued");
        }
    }

    public static int limit(Integer limit) {
        if (limit == null) {
            return 20;
        }
        if (limit < 1 || limit > 100) {
            throw AgencyException.invalidField("limit", "must be between 1 and 100");
        }
        return limit;
    }
}
