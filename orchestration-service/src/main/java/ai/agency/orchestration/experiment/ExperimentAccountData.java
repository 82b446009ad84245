package ai.agency.orchestration.experiment;

import ai.agency.common.accountdata.AccountData;
import ai.agency.orchestration.AccountExport;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The experiments a user runs on their agents, and the variants they were assigned in anyone's experiments, for the
 * account-data export and erasure. Erasing deletes both (the assignments of other users to the user's experiments go
 * with the experiments).
 */
@Component
@Order(60)
class ExperimentAccountData implements AccountData {

    private final AccountExport export;
    private final ExperimentRepository experiments;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    ExperimentAccountData(
            AccountExport export, ExperimentRepository experiments, JdbcClient jdbc, TransactionTemplate tx) {
        this.export = export;
        this.experiments = experiments;
        this.jdbc = jdbc;
        this.tx = tx;
    }

    @Override
    public List<String> kinds() {
        return List.of("experiments", "experiment_assignments");
    }

    @Override
    public void export(UUID userId, String kind, RecordSink sink) throws IOException {
        switch (kind) {
            case "experiments" ->
                export.stream(
                        "SELECT * FROM experiments WHERE owner_id = :userId ORDER BY created_at, id",
                        userId,
                        experiments::map,
                        sink);
            case "experiment_assignments" ->
                export.stream(
                        "SELECT * FROM experiment_assignments WHERE user_id = :userId ORDER BY created_at, experiment_id",
                        userId,
                        (rs, i) -> {
                            Map<String, Object> assignment = new LinkedHashMap<>();
                            assignment.put("experimentId", rs.getObject("experiment_id", UUID.class));
                            assignment.put("version", rs.getInt("version"));
                            assignment.put(
                                    "createdAt", rs.getTimestamp("created_at").toInstant());
                            return assignment;
                        },
                        sink);
            default -> throw new IllegalArgumentException("not a kind of " + this + ": " + kind);
        }
    }

    @Override
    public Map<String, Long> erase(UUID userId) {
        return tx.execute(s -> {
            Map<String, Long> erased = new LinkedHashMap<>();
            erased.put("experiment_assignments", (long)
                    jdbc.sql("DELETE FROM experiment_assignments WHERE user_id = :userId")
                            .param("userId", userId)
                            .update());
            erased.put("experiments", (long) jdbc.sql("DELETE FROM experiments WHERE owner_id = :userId")
                    .param("userId", userId)
                    .update());
            return erased;
        });
    }
}
