package ai.agency.common.page;

import ai.agency.common.error.AgencyException;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A page of a list, as every service answers it: {@code {items, nextCursor}}, {@code nextCursor} null on the last page
 * and otherwise a {@link Cursor} that the client passes back as {@code ?cursor=} unread. One record, so that the shape,
 * the limit rule and the way the next page is detected are the same on every list of the platform.
 */
public record Page<T>(List<T> items, @Nullable String nextCursor) {

    /** The page size when the client names none. */
    public static final int DEFAULT_LIMIT = 20;

    /** The largest page a client may ask for. */
    public static final int MAX_LIMIT = 100;

    /** The requested page size: {@link #DEFAULT_LIMIT} for none, a 400 problem naming {@code limit} outside 1..100. */
    public static int limit(@Nullable Integer requested) {
        if (requested == null) {
            return DEFAULT_LIMIT;
        }
        if (requested < 1 || requested > MAX_LIMIT) {
            throw AgencyException.invalidField("limit", "must be between 1 and " + MAX_LIMIT);
        }
        return requested;
    }

    /**
     * The page of {@code rows} fetched with {@code limit + 1}: the first {@code limit} become the items, and only when
     * the extra row came back is there a next page, starting after the last row shown.
     *
     * @param item what a client sees of a row
     * @param cursor the cursor of a row's position ({@link Cursor#of(long)}, {@link Cursor#of})
     */
    public static <R, T> Page<T> of(
            List<R> rows, int limit, Function<? super R, ? extends T> item, Function<? super R, String> cursor) {
        boolean more = rows.size() > limit;
        List<R> shown = more ? rows.subList(0, limit) : rows;
        List<T> items = shown.stream().<T>map(item).toList();
        return new Page<>(items, more ? cursor.apply(shown.getLast()) : null);
    }

    /** {@link #of(List, int, Function, Function)} for rows that are the items themselves. */
    public static <T> Page<T> of(List<T> rows, int limit, Function<? super T, String> cursor) {
        return of(rows, limit, Function.identity(), cursor);
    }

    /** A short list that is always answered whole: one page, {@code nextCursor} null. */
    public static <T> Page<T> all(List<T> items) {
        return new Page<>(items, null);
    }
}
