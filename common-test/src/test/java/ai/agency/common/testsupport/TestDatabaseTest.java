package ai.agency.common.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestDatabaseTest {

    @Test
    void eachCreateGivesASeparateDatabaseWithPgvector() throws SQLException {
        assumeTrue(
                configured("AGENCY_TEST_DB_URL"),
                "AGENCY_TEST_DB_URL is not set: no PostgreSQL to create test databases on");

        TestDatabase.Coordinates first = TestDatabase.create();
        TestDatabase.Coordinates second = TestDatabase.create();

        assertThat(first.url()).isNotEqualTo(second.url());
        try (Connection one = connect(first);
                Connection two = connect(second)) {
            assertThat(currentDatabase(one)).isNotEqualTo(currentDatabase(two));
            assertThat(vectorVersion(one)).isNotBlank();
            assertThat(vectorVersion(two)).isNotBlank();

            try (Statement statement = one.createStatement()) {
                statement.execute("CREATE TABLE only_in_first (id int)");
                statement.execute("INSERT INTO only_in_first VALUES (1)");
            }

            assertThat(tableExists(one, "only_in_first")).isTrue();
            assertThat(tableExists(two, "only_in_first")).isFalse();
        }
    }

    @Test
    void theDropAtExitWaitsForTheLastSessionOfADatabaseToEnd() throws Exception {
        assumeTrue(
                configured("AGENCY_TEST_DB_URL"),
                "AGENCY_TEST_DB_URL is not set: no PostgreSQL to create test databases on");
        TestDatabase.Coordinates database = TestDatabase.create();
        String name = database.url().substring(database.url().lastIndexOf('/') + 1);
        TestDatabase.Coordinates other = TestDatabase.create();

        try (Connection watcher = connect(other)) {
            Connection user = connect(database);
            assertThat(TestDatabase.awaitNoSessions(watcher, List.of(name), System.nanoTime()))
                    .as("a session is still open: the deadline ends the wait")
                    .isFalse();

            Thread closer = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(500);
                    user.close();
                } catch (InterruptedException | SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            boolean none = TestDatabase.awaitNoSessions(
                    watcher,
                    List.of(name),
                    System.nanoTime() + Duration.ofSeconds(30).toNanos());
            closer.join();

            assertThat(none).isTrue();
            assertThat(user.isClosed()).isTrue();
        }
    }

    @Test
    void withDatabaseReplacesOnlyTheDatabaseName() {
        assertThat(TestDatabase.withDatabase("jdbc:postgresql://localhost:5432/agency", "Agency_T_1"))
                .isEqualTo("jdbc:postgresql://localhost:5432/agency_t_1");
        assertThat(TestDatabase.withDatabase("jdbc:postgresql://db:5433/agency?sslmode=disable&user=x", "other"))
                .isEqualTo("jdbc:postgresql://db:5433/other?sslmode=disable&user=x");
    }

    @Test
    void withDatabaseRefusesAUrlWithoutADatabasePart() {
        assertThatThrownBy(() -> TestDatabase.withDatabase("jdbc:postgresql://localhost:5432", "other"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:postgresql://localhost:5432");
    }

    private static boolean configured(String name) {
        String value = System.getProperty(name, System.getenv(name));
        return value != null && !value.isBlank();
    }

    private static Connection connect(TestDatabase.Coordinates database) throws SQLException {
        return DriverManager.getConnection(database.url(), database.username(), database.password());
    }

    private static String currentDatabase(Connection connection) throws SQLException {
        return single(connection, "SELECT current_database()");
    }

    private static String vectorVersion(Connection connection) throws SQLException {
        return single(connection, "SELECT extversion FROM pg_extension WHERE extname = 'vector'");
    }

    private static boolean tableExists(Connection connection, String table) throws SQLException {
        return single(connection, "SELECT to_regclass('public." + table + "')::text") != null;
    }

    private static String single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            return result.next() ? result.getString(1) : null;
        }
    }
}
