package ai.agency.orchestration.chat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A part of a chat turn that could not run (api.md: {@code degraded {skipped, reason}}): the SSE {@code degraded}
 * event, and the {@code degraded} member of a non-streaming answer (the parts of all such events merged).
 *
 * @param skipped the parts that were skipped: {@code memory}, {@code tools}, {@code extraction}
 * @param reason what went wrong, safe to show
 */
record Degraded(List<String> skipped, String reason) {

    static final String MEMORY = "memory";
    static final String TOOLS = "tools";
    /** The memories a turn would have added (extracted after the answer) were not taken: memory-service is away. */
    static final String EXTRACTION = "extraction";

    /** The events of one turn as one: every part skipped, the reasons joined; null when nothing was skipped. */
    static Degraded merge(List<Degraded> events) {
        if (events.isEmpty()) {
            return null;
        }
        Set<String> skipped = new LinkedHashSet<>();
        List<String> reasons = new ArrayList<>();
        for (Degraded event : events) {
            skipped.addAll(event.skipped());
            reasons.add(event.reason());
        }
        return new Degraded(List.copyOf(skipped), String.join("; ", reasons));
    }
}
