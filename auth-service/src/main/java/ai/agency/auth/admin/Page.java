package ai.agency.auth.admin;

import ai.agency.common.error.AgencyException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * A page of a growing list: {@code {items, nextCursor}}; {@code nextCursor} is null on the last page. Cursors are
 * opaque to clients (base64url of the position after which the next page starts).
 */
record Page<T>(List<T> items, String nextCursor) {

    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;

    static int limit(Integer requested) {
        if (requested == null) {
            return DEFAULT_LIMIT;
        }
        if (requested < 1 || requested > MAX_LIMIT) {
            throw AgencyException.invalidField("limit", "must be between 1 and " + MAX_LIMIT);
        }
        return requested;
    }

    static String encode(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    /** The position inside a cursor; 400 when it is not one of ours. */
    static String decode(String cursor) {
        if (cursor.length() > 200) {
            throw AgencyException.invalidField("cursor", "is not a valid cursor");
        }
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw AgencyException.invalidField("cursor", "is not a valid cursor");
        }
    }
}
