package ai.agency.orchestration.agent;

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
 * The agents a user owns and every version of them, for the account-data export and erasure. Erasing deletes the
 * user's own (private) agents with their versions and experiments; a conversation another user still has with one
 * of them (the agent was shared once) moves to the built-in assistant, so that user's history stays theirs. An agent
 * the user published to everyone (an admin's shared agent) is the platform's: it stays, without an owner. Versions of
 * other agents the user wrote keep their content and lose their author.
 */
@Component
@Order(70)
class AgentAccountData implements AccountData {

    private static final String OWN_PRIVATE = "SELECT id FROM agents WHERE owner_id = :userId AND NOT shared";

    private final AccountExport export;
    private final AgentRepository agents;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    AgentAccountData(AccountExport export, AgentRepository agents, JdbcClient jdbc, TransactionTemplate tx) {
        this.export = export;
        this.agents = agents;
        this.jdbc = jdbc;
        this.tx = tx;
    }

    @Override
    public List<String> kinds() {
        return List.of("agents", "agent_versions");
    }

    @Override
    public void export(UUID userId, String kind, RecordSink sink) throws IOException {
        switch (kind) {
            case "agents" ->
                export.stream(
                        AgentRepository.SELECT_AGENT + "WHERE a.owner_id = :userId ORDER BY a.created_at, a.id",
                        userId,
                        agents::map,
                        sink);
            case "agent_versions" ->
                export.stream(
                        """
                        SELECT v.* FROM agent_versions v JOIN agents a ON a.id = v.agent_id
                        WHERE a.owner_id = :userId ORDER BY a.created_at, a.id, v.version
                        """,
                        userId,
                        (rs, i) -> {
                            AgentVersion v = agents.version(rs, i);
                            Map<String, Object> version = new LinkedHashMap<>();
                            version.put("agentId", rs.getObject("agent_id", UUID.class));
                            version.put("version", v.version());
                            version.put("createdAt", v.createdAt());
                            version.put("createdBy", v.createdBy());
                            version.put("name", v.name());
                            version.put("description", v.description());
                            version.put("capabilities", v.capabilities());
                            version.put("systemPrompt", v.systemPrompt());
                            version.put("model", v.model());
                            version.put("tools", v.tools());
                            return version;
                        },
                        sink);
            default -> throw new IllegalArgumentException("not a kind of " + this + ": " + kind);
        }
    }

    @Override
    public Map<String, Long> erase(UUID userId) {
        return tx.execute(s -> {
            jdbc.sql("UPDATE conversations SET agent_id = :assistant WHERE user_id <> :userId AND agent_id IN ("
                            + OWN_PRIVATE + ")")
                    .param("assistant", Agent.DEFAULT_ID)
                    .param("userId", userId)
                    .update();
            long versions = update("DELETE FROM agent_versions WHERE agent_id IN (" + OWN_PRIVATE + ")", userId);
            versions += update("UPDATE agent_versions SET created_by = NULL WHERE created_by = :userId", userId);
            long deleted = update("DELETE FROM agents WHERE owner_id = :userId AND NOT shared", userId);
            long kept = update("UPDATE agents SET owner_id = NULL WHERE owner_id = :userId AND shared", userId);
            Map<String, Long> erased = new LinkedHashMap<>();
            erased.put("agents", deleted + kept);
            erased.put("agent_versions", versions);
            return erased;
        });
    }

    private long update(String sql, UUID userId) {
        return jdbc.sql(sql).param("userId", userId).update();
    }
}
