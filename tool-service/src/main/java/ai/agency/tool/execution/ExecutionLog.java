package ai.agency.tool.execution;

import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** Reading the execution log: a caller sees their own executions; an admin may name another user. */
@Service
public class ExecutionLog {

    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;

    private final ExecutionRepository executions;

    ExecutionLog(ExecutionRepository executions) {
        this.executions = executions;
    }

    /** One page: {@code {items, nextCursor}}. */
    public record Page(List<ExecutionRepository.Execution> items, String nextCursor) {}

    public Page page(Caller caller, UUID userId, String tool, Integer limit, String cursor) {
        UUID owner = caller.id();
        if (userId != null && !userId.equals(caller.id())) {
            if (!caller.isAdmin()) {
                throw AgencyException.forbidden("Only admins may read another user's execution log");
            }
            owner = userId;
        }
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw AgencyException.invalidField("limit", "must be between 1 and " + MAX_LIMIT);
        }
        Instant beforeAt = null;
        UUID beforeId = null;
        if (cursor != null && !cursor.isBlank()) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|");
                beforeAt = Instant.parse(parts[0]);
                beforeId = UUID.fromString(parts[1]);
            } catch (RuntimeException e) {
                throw AgencyException.invalidField("cursor", "is not a cursor this service issued");
            }
        }
        List<ExecutionRepository.Execution> rows = executions.page(owner, tool, beforeAt, beforeId, size + 1);
        String next = null;
        if (rows.size() > size) {
            rows = rows.subList(0, size);
            ExecutionRepository.Execution last = rows.getLast();
            next = Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString((last.createdAt() + "|" + last.id()).getBytes(StandardCharsets.UTF_8));
        }
        return new Page(rows, next);
    }
}
