package ai.agency.common.retention;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * One kind of rows a service keeps for a limited time: {@code table}'s rows whose {@code timestamp} column is older
 * than the kind's retention (configured as {@code agency.retention.keep.<kind>}, else {@code defaultKeep}), and that
 * match {@code condition} (SQL over the table's columns, {@code "true"} for every row), are deleted. A service
 * declares its rules as beans; {@link RetentionPurge} runs them.
 *
 * @param kind the name in configuration and metrics, e.g. {@code audit-events}
 * @param table the table, schema-qualified or on the service's search path
 * @param timestamp the column the age is measured by
 * @param condition further SQL condition a row must meet to go (e.g. only finished runs' events)
 * @param defaultKeep how long rows are kept unless configured otherwise
 */
public record RetentionRule(String kind, String table, String timestamp, String condition, Duration defaultKeep) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)?");
    private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9-]*");

    public RetentionRule {
        if (!KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException("retention kind must be lower-case words with dashes: " + kind);
        }
        if (!NAME.matcher(table).matches() || !NAME.matcher(timestamp).matches()) {
            throw new IllegalArgumentException("retention table and column must be plain SQL names: " + table);
        }
        if (defaultKeep.isNegative()) {
            throw new IllegalArgumentException("retention of " + kind + " must not be negative");
        }
    }

    /** Every row older than the retention goes. */
    public static RetentionRule of(String kind, String table, String timestamp, Duration defaultKeep) {
        return new RetentionRule(kind, table, timestamp, "true", defaultKeep);
    }

    /** One batch: at most {@code :batch} rows older than {@code :cutoff} that meet the condition. */
    String deleteBatchSql() {
        return "DELETE FROM " + table + " WHERE ctid IN (SELECT ctid FROM " + table + " WHERE " + timestamp
                + " < :cutoff AND (" + condition + ") LIMIT :batch)";
    }
}
