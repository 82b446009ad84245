package ai.agency.auth.usage;

import ai.agency.common.usage.UsageEvent;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Repository;

/**
 * The usage counters: events counted once each (by id) into per-user, per-day rows, and per-minute tool calls.
 * {@link #ingest} must run in a transaction: the ids and the counters commit together.
 */
@Repository
class UsageLedger {

    /** One counter row of a user's day. */
    record Row(LocalDate day, String kind, String subject, long count, long tokensIn, long tokensOut, long bytes) {}

    private record Key(UUID userId, LocalDate day, String kind, String subject) {}

    private final JdbcClient jdbc;

    UsageLedger(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Counts the events not counted before; returns those. */
    List<UsageEvent> ingest(List<UsageEvent> events) {
        Set<UUID> fresh = new HashSet<>(newIds(events));
        List<UsageEvent> counted = events.stream()
                .filter(e -> fresh.remove(e.id())) // a duplicate inside the batch counts once too
                .toList();
        Map<Key, long[]> sums = new LinkedHashMap<>();
        for (UsageEvent e : counted) {
            long[] sum = sums.computeIfAbsent(
                    new Key(e.userId(), e.at().atOffset(ZoneOffset.UTC).toLocalDate(), e.kind(), e.subject()),
                    k -> new long[4]);
            sum[0] += e.count();
            sum[1] += e.tokensIn();
            sum[2] += e.tokensOut();
            sum[3] += e.bytes();
        }
        // in key order, so that concurrent batches lock the same rows in the same order (no deadlock)
        sums.entrySet().stream()
                .sorted(Comparator.comparing(
                                (Map.Entry<Key, long[]> en) -> en.getKey().userId())
                        .thenComparing(en -> en.getKey().day())
                        .thenComparing(en -> en.getKey().kind())
                        .thenComparing(en -> en.getKey().subject()))
                .forEach(en -> add(en.getKey(), en.getValue()));
        counted.stream()
                .filter(e -> UsageEvent.TOOL_CALL.equals(e.kind()))
                .sorted(Comparator.comparing(UsageEvent::userId))
                .forEach(this::addMinute);
        return counted;
    }

    /** Records the ids not seen before; returns those. */
    @SuppressWarnings("NullAway") // event_id is NOT NULL: the list holds no null
    private List<UUID> newIds(List<UsageEvent> events) {
        return jdbc.sql("""
                        INSERT INTO usage_events (event_id, user_id)
                        SELECT DISTINCT ON (id) id, user_id
                        FROM unnest(CAST(:ids AS uuid[]), CAST(:users AS uuid[])) AS e(id, user_id) ORDER BY id
                        ON CONFLICT (event_id) DO NOTHING
                        RETURNING event_id
                        """)
                .param("ids", events.stream().map(e -> e.id().toString()).toArray(String[]::new))
                .param("users", events.stream().map(e -> e.userId().toString()).toArray(String[]::new))
                .query(UUID.class)
                .list();
    }

    private void add(Key key, long[] sum) {
        jdbc.sql("""
                INSERT INTO usage_daily AS d (user_id, day, kind, subject, count, tokens_in, tokens_out, bytes)
                VALUES (:userId, :day, :kind, :subject, :count, :tokensIn, :tokensOut, :bytes)
                ON CONFLICT (user_id, day, kind, subject) DO UPDATE SET
                    count = d.count + excluded.count, tokens_in = d.tokens_in + excluded.tokens_in,
                    tokens_out = d.tokens_out + excluded.tokens_out, bytes = d.bytes + excluded.bytes
                """)
                .param("userId", key.userId())
                .param("day", Date.valueOf(key.day()))
                .param("kind", key.kind())
                .param("subject", key.subject())
                .param("count", sum[0])
                .param("tokensIn", sum[1])
                .param("tokensOut", sum[2])
                .param("bytes", sum[3])
                .update();
    }

    private void addMinute(UsageEvent call) {
        Instant minute = call.at().truncatedTo(ChronoUnit.MINUTES);
        if (minute.isBefore(Instant.now().minus(1, ChronoUnit.HOURS))) {
            return;
        }
        jdbc.sql("""
                INSERT INTO usage_minutes AS m (user_id, minute, calls) VALUES (:userId, :minute, :calls)
                ON CONFLICT (user_id, minute) DO UPDATE SET calls = m.calls + excluded.calls
                """)
                .param("userId", call.userId())
                .param("minute", Timestamp.from(minute))
                .param("calls", call.count())
                .update();
    }

    /** The user's counter rows of the days from {@code from} to {@code to}, both included. */
    List<Row> days(UUID userId, LocalDate from, LocalDate to) {
        return jdbc.sql("""
                SELECT day, kind, subject, count, tokens_in, tokens_out, bytes FROM usage_daily
                WHERE user_id = :userId AND day BETWEEN :from AND :to ORDER BY day, kind, subject
                """)
                .param("userId", userId)
                .param("from", Date.valueOf(from))
                .param("to", Date.valueOf(to))
                .query((rs, i) -> new Row(
                        rs.getDate("day").toLocalDate(),
                        rs.getString("kind"),
                        rs.getString("subject"),
                        rs.getLong("count"),
                        rs.getLong("tokens_in"),
                        rs.getLong("tokens_out"),
                        rs.getLong("bytes")))
                .list();
    }

    /** Model tokens, in and out, of the user's UTC day. */
    long tokens(UUID userId, LocalDate day) {
        return jdbc.sql("""
                SELECT coalesce(sum(tokens_in + tokens_out), 0) FROM usage_daily
                WHERE user_id = :userId AND day = :day AND kind = 'tokens'
                """)
                .param("userId", userId)
                .param("day", Date.valueOf(day))
                .query(Long.class)
                .single();
    }

    /** Memories added minus memories removed, over all time. */
    long memoriesHeld(UUID userId) {
        return jdbc.sql("""
                SELECT coalesce(sum(CASE kind WHEN 'memory_added' THEN count ELSE -count END), 0) FROM usage_daily
                WHERE user_id = :userId AND kind IN ('memory_added', 'memory_removed')
                """).param("userId", userId).query(Long.class).single();
    }

    long toolCalls(UUID userId, Instant minute) {
        return jdbc.sql(
                        "SELECT coalesce(sum(calls), 0) FROM usage_minutes WHERE user_id = :userId AND minute = :minute")
                .param("userId", userId)
                .param("minute", Timestamp.from(minute))
                .query(Long.class)
                .single();
    }

    /** Event ids older than 30 days and minute counters older than an hour are no longer needed. */
    @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT15M")
    void prune() {
        jdbc.sql("DELETE FROM usage_events WHERE received_at < now() - interval '30 days'")
                .update();
        jdbc.sql("DELETE FROM usage_minutes WHERE minute < now() - interval '1 hour'")
                .update();
    }
}
