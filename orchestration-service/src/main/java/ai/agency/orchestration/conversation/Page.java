package ai.agency.orchestration.conversation;

import java.util.List;

/** A page of a growing list: {@code {items, nextCursor}}; {@code nextCursor} is null on the last page. */
public record Page<T>(List<T> items, String nextCursor) {}
