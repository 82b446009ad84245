package ai.agency.orchestration.model;

import java.util.ArrayList;
import java.util.List;

/**
 * How recalled memories appear in the system prompt: a header line, then one {@code - memory} line each. Real
 * models read it as plain text; the local model parses it back to ground its answers.
 */
public final class MemoryBlock {

    public static final String HEADER = "Memories about the user (recalled from earlier conversations):";

    private MemoryBlock() {}

    public static String render(List<String> memories) {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        memories.forEach(m -> text.append("- ").append(m.replace('\n', ' ')).append('\n'));
        return text.toString();
    }

    static List<String> parse(String systemText) {
        List<String> memories = new ArrayList<>();
        int start = systemText == null ? -1 : systemText.indexOf(HEADER);
        if (start < 0) {
            return memories;
        }
        for (String line : systemText.substring(start + HEADER.length()).split("\n")) {
            if (line.startsWith("- ")) {
                memories.add(line.substring(2).strip());
            } else if (!line.isBlank()) {
                break;
            }
        }
        return memories;
    }
}
