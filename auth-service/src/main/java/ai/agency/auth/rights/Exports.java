package ai.agency.auth.rights;

import ai.agency.auth.account.UserRepository;
import ai.agency.common.error.AgencyException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Exports of everything a user has in every service, as one zip: {@code <service>/<kind>.ndjson} per kind and a
 * {@code manifest.json}. A request is queued; a job on any replica claims it ({@code FOR UPDATE SKIP LOCKED} and a
 * lease), asks each service for its kinds and streams each kind's NDJSON straight into the zip, which is written in
 * 1 MiB chunks to the database — memory stays flat whatever the size. {@code progress} is the share of kinds done. A
 * service that fails makes the attempt fail; the export is tried again up to {@code export-attempts} times, then is
 * {@code failed} with the reason. Ready exports are downloaded from the chunks and deleted after the retention (kind
 * {@code account-exports}, 7 days).
 */
@Service
public class Exports {

    private static final Logger log = LoggerFactory.getLogger(Exports.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;
    private final AccountDataSettings settings;
    private final UserRepository users;
    private final JobTokens tokens;
    private final AccountDataCalls calls;
    private final AuthAccountData local;

    Exports(
            JdbcClient jdbc,
            AccountDataSettings settings,
            UserRepository users,
            JobTokens tokens,
            AccountDataCalls calls,
            AuthAccountData local) {
        this.jdbc = jdbc;
        this.settings = settings;
        this.users = users;
        this.tokens = tokens;
        this.calls = calls;
        this.local = local;
    }

    public record ExportView(
            UUID id,
            UUID userId,
            String status,
            double progress,
            Instant createdAt,
            @Nullable Instant finishedAt,
            @Nullable Long size,
            @Nullable String error) {}

    /** Queues an export of the user's data, or answers the one already queued or running. */
    @Transactional
    public UUID request(UUID userId, @Nullable UUID requestedBy) {
        users.findById(userId).orElseThrow(() -> AgencyException.notFound("user", userId));
        var open = jdbc.sql("SELECT id FROM account_exports WHERE user_id = :u AND status IN ('pending', 'running')")
                .param("u", userId)
                .query(UUID.class)
                .list();
        if (!open.isEmpty()) {
            return open.getFirst();
        }
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO account_exports (id, user_id, requested_by) VALUES (:id, :u, :by)")
                .param("id", id)
                .param("u", userId)
                .param("by", requestedBy)
                .update();
        return id;
    }

    /** The export, if it exists and (when {@code owner} is given) belongs to that user; else 404. */
    public ExportView view(UUID id, @Nullable UUID owner) {
        return jdbc.sql(
                        "SELECT * FROM account_exports WHERE id = :id AND (CAST(:owner AS uuid) IS NULL OR user_id = :owner)")
                .param("id", id)
                .param("owner", owner)
                .query((rs, n) -> new ExportView(
                        rs.getObject("id", UUID.class),
                        rs.getObject("user_id", UUID.class),
                        rs.getString("status"),
                        Math.round(rs.getDouble("progress") * 1000) / 1000.0,
                        rs.getTimestamp("created_at").toInstant(),
                        instant(rs.getTimestamp("finished_at")),
                        rs.getObject("size", Long.class),
                        rs.getString("error")))
                .optional()
                .orElseThrow(() -> AgencyException.notFound("export", id));
    }

    /** Streams a ready export's zip into {@code out}, chunk by chunk (409 while it is not ready). */
    public void download(UUID id, @Nullable UUID owner, OutputStream out) throws IOException {
        ExportView export = view(id, owner);
        if (!export.status().equals("ready")) {
            throw AgencyException.conflict(
                    "The export is " + export.status() + ", not ready; progress " + export.progress());
        }
        int chunks = jdbc.sql("SELECT count(*) FROM account_export_chunks WHERE export_id = :id")
                .param("id", id)
                .query(Integer.class)
                .single();
        for (int seq = 0; seq < chunks; seq++) {
            byte[] data = jdbc.sql("SELECT data FROM account_export_chunks WHERE export_id = :id AND seq = :seq")
                    .param("id", id)
                    .param("seq", seq)
                    .query(byte[].class)
                    .single();
            out.write(data);
        }
        out.flush();
    }

    /** One round of the job: claims one queued export (or one whose worker died) and builds it. */
    @Scheduled(fixedDelayString = "${agency.auth.account-data.poll-interval:1s}", initialDelayString = "PT2S")
    public void work() {
        var claimed = jdbc.sql("""
                        UPDATE account_exports SET status = 'running', progress = 0, attempts = attempts + 1,
                               claimed_until = now() + interval '10 minutes'
                        WHERE id = (SELECT id FROM account_exports
                                    WHERE status = 'pending' OR (status = 'running' AND claimed_until < now())
                                    ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                        RETURNING id, user_id, attempts
                        """)
                .query((rs, n) -> new Object[] {rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getInt(3)})
                .optional();
        if (claimed.isEmpty()) {
            return;
        }
        UUID id = (UUID) claimed.get()[0];
        UUID userId = (UUID) claimed.get()[1];
        int attempts = (Integer) claimed.get()[2];
        try {
            long size = build(id, userId);
            jdbc.sql("""
                            UPDATE account_exports SET status = 'ready', progress = 1, size = :size, error = NULL,
                                   finished_at = now(), claimed_until = NULL WHERE id = :id
                            """).param("size", size).param("id", id).update();
            log.info("export {} of user {} ready: {} bytes", id, userId, size);
        } catch (Exception e) {
            boolean last = attempts >= settings.exportAttempts();
            log.warn("export {} of user {} failed (attempt {}): {}", id, userId, attempts, e.toString());
            jdbc.sql("DELETE FROM account_export_chunks WHERE export_id = :id")
                    .param("id", id)
                    .update();
            jdbc.sql("""
                            UPDATE account_exports SET status = :status, error = :error, claimed_until = NULL,
                                   finished_at = CASE WHEN :status = 'failed' THEN now() END WHERE id = :id
                            """)
                    .param("status", last ? "failed" : "pending")
                    .param("error", String.valueOf(e.getMessage()))
                    .param("id", id)
                    .update();
        }
    }

    private record Part(String service, @Nullable URI base, String kind) {}

    private long build(UUID id, UUID userId) throws IOException {
        jdbc.sql("DELETE FROM account_export_chunks WHERE export_id = :id")
                .param("id", id)
                .update();
        List<Part> parts = new ArrayList<>();
        local.kinds().forEach(kind -> parts.add(new Part(Erasures.SELF, null, kind)));
        for (var service : settings.services().entrySet()) {
            for (String kind : calls.kinds(service.getValue(), tokens.mint(userId, "export"))) {
                parts.add(new Part(service.getKey(), service.getValue(), kind));
            }
        }
        List<Map<String, Object>> files = new ArrayList<>();
        ChunkOutputStream chunks = new ChunkOutputStream(jdbc, id);
        try (ZipOutputStream zip = new ZipOutputStream(chunks)) {
            int done = 0;
            for (Part part : parts) {
                String name = part.service() + "/" + part.kind() + ".ndjson";
                zip.putNextEntry(new ZipEntry(name));
                long records = part.base() == null
                        ? exportHere(userId, part.kind(), zip)
                        : calls.export(part.base(), part.kind(), tokens.mint(userId, "export"), zip);
                zip.closeEntry();
                files.add(Map.of("file", name, "service", part.service(), "kind", part.kind(), "records", records));
                progress(id, (double) ++done / parts.size());
            }
            zip.putNextEntry(new ZipEntry("manifest.json"));
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("userId", userId.toString());
            manifest.put("exportId", id.toString());
            manifest.put("exportedAt", Instant.now().toString());
            manifest.put("format", "one JSON object per line (NDJSON) per file; files by service and kind");
            manifest.put("files", files);
            zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
            zip.closeEntry();
        }
        return chunks.size();
    }

    private long exportHere(UUID userId, String kind, OutputStream out) throws IOException {
        long[] records = {0};
        local.export(userId, kind, record -> {
            out.write(JSON.writeValueAsString(record).getBytes(StandardCharsets.UTF_8));
            out.write('\n');
            records[0]++;
        });
        return records[0];
    }

    private void progress(UUID id, double progress) {
        jdbc.sql(
                        "UPDATE account_exports SET progress = :p, claimed_until = now() + interval '10 minutes' WHERE id = :id")
                .param("p", progress)
                .param("id", id)
                .update();
    }

    private static @Nullable Instant instant(@Nullable Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
