package ai.agency.common.flags;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The flags a service knows now. */
public interface FlagStore {

    /** The flag of that key, or null if there is none (or none could be read yet). */
    @Nullable
    FlagRule get(String key);

    /** Every flag, by key. */
    Map<String, FlagRule> all();

    /** No flags at all ({@code agency.flags.source=none}). */
    FlagStore EMPTY = new FlagStore() {
        @Override
        public @Nullable FlagRule get(String key) {
            return null;
        }

        @Override
        public Map<String, FlagRule> all() {
            return Map.of();
        }
    };
}
