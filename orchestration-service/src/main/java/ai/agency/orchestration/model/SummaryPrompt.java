package ai.agency.orchestration.model;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;

/**
 * The request that asks an agent's model to fold messages that left the prompt window into the conversation's
 * running summary, and the extractive summary the local model answers it with.
 */
public final class SummaryPrompt {

    /** The system message of a summary request; {@link LocalChatModel} recognises it by this text. */
    public static final String INSTRUCTION = "You maintain the running summary of a conversation between a user and"
            + " an assistant. Update the summary with the new messages. Keep facts the user stated, their requests,"
            + " decisions and open questions; be brief and factual, third person, no preamble. Answer with the"
            + " updated summary only.";

    private static final String PREVIOUS = "Summary so far:\n";
    private static final String NEW = "New messages:\n";
    private static final Pattern USER_LINE = Pattern.compile("(?m)^user: (.+)$");
    private static final Pattern FIRST_SENTENCE = Pattern.compile("^(.+?[.!?])(\\s|$)");

    private SummaryPrompt() {}

    /** A message of the conversation as the summary request shows it. */
    public record Line(String role, String content) {}

    public static List<Message> messages(String previous, List<Line> lines) {
        StringBuilder text = new StringBuilder();
        if (previous != null && !previous.isBlank()) {
            text.append(PREVIOUS).append(previous.strip()).append("\n\n");
        }
        text.append(NEW);
        for (Line line : lines) {
            text.append(line.role())
                    .append(": ")
                    .append(line.content().replaceAll("\\s+", " ").strip())
                    .append('\n');
        }
        return List.of(new SystemMessage(INSTRUCTION), new UserMessage(text.toString()));
    }

    static boolean isSummaryRequest(List<Message> messages) {
        return messages.size() == 2
                && messages.getFirst() instanceof SystemMessage system
                && INSTRUCTION.equals(system.getText());
    }

    /**
     * The local model's summary: the previous summary's lines plus one line per new user message (its first
     * sentence, at most 160 characters), oldest lines dropped beyond 30.
     */
    static String extractive(String request) {
        List<String> lines = new ArrayList<>();
        int previous = request.indexOf(PREVIOUS);
        int fresh = request.indexOf(NEW);
        if (previous >= 0 && fresh > previous) {
            request.substring(previous + PREVIOUS.length(), fresh)
                    .lines()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty())
                    .forEach(lines::add);
        }
        Matcher user = USER_LINE.matcher(fresh >= 0 ? request.substring(fresh) : request);
        while (user.find()) {
            String said = user.group(1).strip();
            Matcher sentence = FIRST_SENTENCE.matcher(said);
            if (sentence.find()) {
                said = sentence.group(1);
            }
            if (said.length() > 160) {
                said = said.substring(0, 159) + "…";
            }
            lines.add("- The user said: \"" + said + "\"");
        }
        List<String> kept = lines.size() > 30 ? lines.subList(lines.size() - 30, lines.size()) : lines;
        return String.join("\n", kept);
    }
}
