package ai.agency.common.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.common.testsupport.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/** The purge against a real PostgreSQL: old rows go in batches, new ones and those a condition protects stay. */
class RetentionPurgeTest {

    static JdbcClient jdbc;
    static TransactionTemplate transactions;

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeAll
    static void database() {
        TestDatabase.Coordinates db = TestDatabase.create();
        DriverManagerDataSource dataSource = new DriverManagerDataSource(db.url(), db.username(), db.password());
        jdbc = JdbcClient.create(dataSource);
        transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        jdbc.sql("CREATE SCHEMA retention_test").update();
        jdbc.sql(
                        "CREATE TABLE retention_test.events (id int PRIMARY KEY, at timestamptz NOT NULL, done boolean NOT NULL)")
                .update();
    }

    @BeforeEach
    void rows() {
        jdbc.sql("TRUNCATE retention_test.events").update();
        // ids 1-7: 10 days old (1-5 done), ids 8-9: 1 hour old
        jdbc.sql("""
                        INSERT INTO retention_test.events
                        SELECT g, now() - CASE WHEN g <= 7 THEN interval '10 days' ELSE interval '1 hour' END, g <= 5
                        FROM generate_series(1, 9) g""").update();
    }

    RetentionPurge purge(Map<String, Duration> keep, RetentionRule... rules) {
        return new RetentionPurge(
                jdbc,
                transactions,
                new RetentionProperties(true, Duration.ofHours(1), 2, keep),
                List.of(rules),
                meters);
    }

    List<Integer> left() {
        return jdbc.sql("SELECT id FROM retention_test.events ORDER BY id")
                .query(Integer.class)
                .list();
    }

    @Test
    void rowsOlderThanTheRetentionGoInBatchesAndAreCounted() {
        RetentionRule rule = RetentionRule.of("events", "retention_test.events", "at", Duration.ofDays(7));

        Map<String, Integer> deleted = purge(Map.of(), rule).purge();

        assertThat(deleted).containsEntry("events", 7);
        assertThat(left()).containsExactly(8, 9);
        assertThat(meters.get("agency_retention_purged_rows")
                        .tag("kind", "events")
                        .counter()
                        .count())
                .isEqualTo(7);
        assertThat(purge(Map.of(), rule).purge()).containsEntry("events", 0);
    }

    @Test
    void theConditionProtectsRowsThatMustStay() {
        RetentionRule rule = new RetentionRule("events", "retention_test.events", "at", "done", Duration.ofDays(7));

        purge(Map.of(), rule).purge();

        assertThat(left()).containsExactly(6, 7, 8, 9);
    }

    @Test
    void configurationOverridesTheDefaultAndZeroKeepsForEver() {
        RetentionRule rule = RetentionRule.of("events", "retention_test.events", "at", Duration.ofDays(7));

        purge(Map.of("events", Duration.ZERO), rule).purge();
        assertThat(left()).hasSize(9);

        purge(Map.of("EVENTS", Duration.ofDays(30)), rule).purge(); // as an environment variable spells it
        assertThat(left()).hasSize(9);

        purge(Map.of("events", Duration.ofMinutes(30)), rule).purge();
        assertThat(left()).isEmpty();
    }

    @Test
    void aFailingRuleDoesNotStopTheOthers() {
        RetentionRule broken = RetentionRule.of("missing", "retention_test.missing", "at", Duration.ofDays(1));
        RetentionRule rule = RetentionRule.of("events", "retention_test.events", "at", Duration.ofDays(7));

        Map<String, Integer> deleted = purge(Map.of(), broken, rule).purge();

        assertThat(deleted).doesNotContainKey("missing").containsEntry("events", 7);
    }

    @Test
    void namesThatAreNotPlainSqlNamesAreRefused() {
        assertThatThrownBy(() -> RetentionRule.of("events", "x; DROP TABLE y", "at", Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetentionRule.of("Events", "t", "at", Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetentionRule.of("events", "t", "at", Duration.ofDays(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTableThatRefusesDeletesCanLetItsOwnPurgeThrough() {
        jdbc.sql("""
                        CREATE OR REPLACE FUNCTION retention_test.guard() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN
                            IF current_setting('agency.purge', true) = 'guarded' THEN RETURN OLD; END IF;
                            RAISE EXCEPTION 'append-only';
                        END $$""").update();
        jdbc.sql("CREATE TABLE retention_test.guarded AS SELECT * FROM retention_test.events")
                .update();
        jdbc.sql("CREATE TRIGGER guard BEFORE DELETE ON retention_test.guarded FOR EACH ROW "
                        + "EXECUTE FUNCTION retention_test.guard()")
                .update();
        RetentionRule other = RetentionRule.of("other", "retention_test.guarded", "at", Duration.ofDays(7));
        RetentionRule own = RetentionRule.of("guarded", "retention_test.guarded", "at", Duration.ofDays(7));

        assertThat(purge(Map.of(), other).purge()).doesNotContainKey("other"); // refused by the trigger
        assertThat(purge(Map.of(), own).purge()).containsEntry("guarded", 7);
        assertThatThrownBy(() -> jdbc.sql("DELETE FROM retention_test.guarded").update())
                .hasMessageContaining("append-only"); // the setting was local to the purge's transactions
    }
}
