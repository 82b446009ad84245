package ai.agency.common.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one way tests get a PostgreSQL with pgvector. The server is the one named by {@code AGENCY_TEST_DB_URL}
 * (+ {@code AGENCY_TEST_DB_USERNAME}/{@code AGENCY_TEST_DB_PASSWORD}; {@code ./platform test} sets them), else a
 * Testcontainers {@code pgvector/pgvector:pg17} when a Docker engine answers. Every caller of {@link #create()} gets
 * a database of its own, so tests never see each other's rows; those databases are dropped when the JVM exits.
 */
public final class TestDatabase {

    public static final String IMAGE = "pgvector/pgvector:pg17";

    /** Connection data of a database. */
    public record Coordinates(String url, String username, String password) {}

    /** How long the drop at exit waits for the sessions of closing contexts and services to end. */
    static final Duration DROP_GRACE = Duration.ofSeconds(15);

    private static Coordinates server;
    private static final List<String> created = new CopyOnWriteArrayList<>();

    private TestDatabase() {}

    /** Creates a fresh, empty database (with the {@code vector} extension) and returns how to reach it. */
    public static synchronized Coordinates create() {
        Coordinates admin = server();
        String name =
                "agency_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection connection = DriverManager.getConnection(admin.url(), admin.username(), admin.password());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Cannot create a test database on " + admin.url() + " as " + admin.username()
                            + " (the role needs CREATEDB): " + e.getMessage(),
                    e);
        }
        created.add(name);
        Coordinates database = new Coordinates(withDatabase(admin.url(), name), admin.username(), admin.password());
        try (Connection connection =
                        DriverManager.getConnection(database.url(), database.username(), database.password());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE EXTENSION IF NOT EXISTS vector");
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "The test database has no pgvector extension and " + admin.username()
                            + " cannot create it. Install pgvector and run, as a superuser, "
                            + "'CREATE EXTENSION vector' in template1 (./platform test does this).",
                    e);
        }
        return database;
    }

    private static Coordinates server() {
        if (server != null) {
            return server;
        }
        String url = setting("AGENCY_TEST_DB_URL");
        if (url != null && !url.isBlank()) {
            server = new Coordinates(
                    url,
                    orDefault(setting("AGENCY_TEST_DB_USERNAME"), "agency"),
                    orDefault(setting("AGENCY_TEST_DB_PASSWORD"), "agency"));
        } else if (dockerAvailable()) {
            server = Containers.startPgvector();
        } else {
            throw new IllegalStateException("No test database: set AGENCY_TEST_DB_URL (and AGENCY_TEST_DB_USERNAME, "
                    + "AGENCY_TEST_DB_PASSWORD) to a PostgreSQL with pgvector, run the tests through "
                    + "'./platform test' (which provisions one), or start a Docker engine for Testcontainers.");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(TestDatabase::dropAll, "drop-test-databases"));
        return server;
    }

    /**
     * Runs at JVM exit, next to the other shutdown hooks — among them Spring's, closing the test contexts, and
     * platform-tests' stopping the service processes. Those still use the databases while they close (releasing
     * claims, flushing state), so the drop first waits until no session is connected to them, up to
     * {@link #DROP_GRACE}; only then are the databases dropped, {@code WITH (FORCE)} for whatever is left.
     * Dropping at once made closing services wait out their connection timeouts against a database that was gone,
     * past Surefire's 30 s limit for a fork to exit.
     */
    private static void dropAll() {
        try (Connection connection = DriverManager.getConnection(server.url(), server.username(), server.password());
                Statement statement = connection.createStatement()) {
            awaitNoSessions(connection, created, System.nanoTime() + DROP_GRACE.toNanos());
            for (String name : created) {
                statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        } catch (SQLException | RuntimeException e) {
            System.err.println("Could not drop test databases " + created + ": " + e.getMessage());
        }
    }

    /**
     * Waits until no session is connected to the named databases, or until the deadline; true when none is.
     *
     * @param connection a connection to another database of the server (its own session does not count)
     */
    static boolean awaitNoSessions(Connection connection, List<String> databases, long deadlineNanos)
            throws SQLException {
        try (PreparedStatement sessions =
                connection.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname = ANY(?)")) {
            sessions.setArray(1, connection.createArrayOf("text", databases.toArray()));
            while (true) {
                try (ResultSet count = sessions.executeQuery()) {
                    count.next();
                    if (count.getLong(1) == 0) {
                        return true;
                    }
                }
                if (System.nanoTime() >= deadlineNanos) {
                    return false;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    private static boolean dockerAvailable() {
        try {
            Class.forName("org.testcontainers.DockerClientFactory");
            return Containers.dockerAvailable();
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    static String withDatabase(String url, String database) {
        int query = url.indexOf('?');
        String base = query >= 0 ? url.substring(0, query) : url;
        String params = query >= 0 ? url.substring(query) : "";
        int slash = base.lastIndexOf('/');
        if (slash < "jdbc:postgresql://".length()) {
            throw new IllegalArgumentException("Not a jdbc:postgresql://host[:port]/database URL: " + url);
        }
        return base.substring(0, slash + 1) + database.toLowerCase(Locale.ROOT) + params;
    }

    private static String setting(String name) {
        String value = System.getProperty(name);
        return value != null ? value : System.getenv(name);
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    /** Kept apart so that Testcontainers classes load only when Docker is used. */
    private static final class Containers {

        static boolean dockerAvailable() {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        }

        static Coordinates startPgvector() {
            var container = new org.testcontainers.postgresql.PostgreSQLContainer(IMAGE);
            container.start();
            return new Coordinates(container.getJdbcUrl(), container.getUsername(), container.getPassword());
        }
    }
}
