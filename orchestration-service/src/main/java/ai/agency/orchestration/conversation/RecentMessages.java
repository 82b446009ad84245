package ai.agency.orchestration.conversation;

import java.util.List;

/**
 * The last messages of a conversation as a prompt window shows them (role and text, oldest first), and how many
 * messages the conversation has in all.
 */
public record RecentMessages(List<Line> lines, long total) {

    /** One message's role ({@link StoredMessage#USER} or {@link StoredMessage#ASSISTANT}) and text. */
    public record Line(String role, String content) {}
}
