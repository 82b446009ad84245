package ai.agency.tool.execution;

import ai.agency.common.error.AgencyException;
import ai.agency.common.page.Cursor;
import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

/** Reading the execution log: a caller sees their own executions; an admin may name another user. */
@Service
public class ExecutionLog {

    private final ExecutionRepository executions;

    ExecutionLog(ExecutionRepository executions) {
        this.executions = executions;
    }

    public Page<ExecutionRepository.Execution> page(
            Caller caller,
            @Nullable UUID userId,
            @Nullable String tool,
            @Nullable Integer limit,
            @Nullable String cursor) {
        UUID owner = caller.id();
        if (userId != null && !userId.equals(caller.id())) {
            if (!caller.isAdmin()) {
                throw AgencyException.forbidden("Only admins may read another user's execution log");
            }
            owner = userId;
        }
        int size = Page.limit(limit);
        Cursor.Keyset before = Cursor.keyset(cursor);
        List<ExecutionRepository.Execution> rows = executions.page(
                owner, tool, before == null ? null : before.createdAt(), before == null ? null : before.id(), size + 1);
        return Page.of(rows, size, e -> Cursor.of(e.createdAt(), e.id()));
    }
}
