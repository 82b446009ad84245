package ai.agency.common.security;

import ai.agency.common.security.Revocations.Revocation;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads auth-service's revocation feed into {@link Revocations}, on a thread of its own, from one of two sources:
 *
 * <ul>
 *   <li>{@link #database}: the feed's table, read again whenever auth-service signals on its PostgreSQL NOTIFY
 *       channel (a notification arrives when the revoking transaction commits, within milliseconds), and every
 *       {@code poll-interval} as a safety net. The connection is the service's own, outside its pool; after a lost
 *       connection the feed reconnects, LISTENs again and reads everything it missed.
 *   <li>{@link #http}: auth-service's {@code GET /internal/revocations?after=} every {@code poll-interval}, for a
 *       service without a database (multimodal-service).
 * </ul>
 *
 * A missing feed table (a service tested without auth-service's schema) reads as an empty feed. {@link #start}
 * waits up to five seconds for the first read, so a service that starts is usually ready at once; until the first
 * read every token is refused.
 */
public final class RevocationFeed implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RevocationFeed.class);
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?");
    static final int BATCH = 1000;

    /** Where the feed is read from. */
    interface Source extends AutoCloseable {
        /** Opens what {@link #after} and {@link #await} need (a connection that LISTENs). */
        void open() throws Exception;

        /** Entries with an id above {@code id}, oldest first, at most {@link #BATCH}. */
        List<Revocation> after(long id) throws Exception;

        /** Waits until auth-service signals a new entry, or at most {@code max}. */
        void await(Duration max) throws Exception;

        @Override
        void close();
    }

    private final Revocations revocations;
    private final Source source;
    private final Duration pollInterval;
    private final String description;
    private final CountDownLatch firstRead = new CountDownLatch(1);
    private volatile boolean running;
    private @Nullable Thread thread;

    RevocationFeed(Revocations revocations, Source source, Duration pollInterval, String description) {
        this.revocations = revocations;
        this.source = source;
        this.pollInterval = pollInterval;
        this.description = description;
    }

    /** The feed from the table {@code table} and NOTIFY channel {@code channel} of the database at {@code url}. */
    public static RevocationFeed database(
            Revocations revocations,
            String url,
            String username,
            String password,
            String table,
            String channel,
            Duration pollInterval) {
        if (!IDENTIFIER.matcher(table).matches() || !IDENTIFIER.matcher(channel).matches() || channel.contains(".")) {
            throw new IllegalArgumentException("agency.security.revocation: table and channel must be plain SQL names");
        }
        return new RevocationFeed(
                revocations,
                new DatabaseSource(url, username, password, table, channel),
                pollInterval,
                "table " + table + " (NOTIFY " + channel + ")");
    }

    /** The feed from auth-service over HTTP ({@code url?after=<id>}), with a connect timeout of 2 s. */
    public static RevocationFeed http(Revocations revocations, URI url, Duration pollInterval) {
        return http(
                revocations,
                url,
                pollInterval,
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build());
    }

    /** The feed from auth-service over HTTP through {@code client} (auth-service's, from {@code ServiceClients}). */
    public static RevocationFeed http(Revocations revocations, URI url, Duration pollInterval, HttpClient client) {
        return new RevocationFeed(revocations, new HttpSource(url, client), pollInterval, url.toString());
    }

    @Override
    public void start() {
        running = true;
        thread = Thread.ofPlatform().daemon().name("revocation-feed").start(this::run);
        try {
            if (!firstRead.await(5, TimeUnit.SECONDS)) {
                log.warn("The revocation feed ({}) could not be read yet: tokens are refused until it is", description);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void run() {
        int failures = 0;
        while (running) {
            try {
                source.open();
                while (running) {
                    readAll();
                    failures = 0;
                    source.await(pollInterval);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                if (failures++ % 30 == 0) {
                    log.warn("Reading the revocation feed ({}) failed, retrying: {}", description, e.toString());
                }
                source.close();
                try {
                    Thread.sleep(Math.min(1000, pollInterval.toMillis() * 2));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
        source.close();
    }

    /** Reads and applies everything after the last applied entry. */
    void readAll() throws Exception {
        List<Revocation> batch;
        do {
            batch = source.after(revocations.lastId());
            revocations.apply(batch);
        } while (batch.size() >= BATCH);
        revocations.markReady();
        firstRead.countDown();
    }

    private static final class DatabaseSource implements Source {
        private final String url;
        private final String username;
        private final String password;
        private final String table;
        private final String channel;
        private @Nullable Connection connection;
        private boolean tableMissing;

        DatabaseSource(String url, String username, String password, String table, String channel) {
            this.url = url;
            this.username = username;
            this.password = password;
            this.table = table;
            this.channel = channel;
        }

        @Override
        public void open() throws SQLException {
            close();
            connection = DriverManager.getConnection(url, username, password);
            connection.setAutoCommit(true);
            try (Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + channel);
            }
        }

        @Override
        public List<Revocation> after(long id) throws SQLException {
            List<Revocation> entries = new ArrayList<>();
            try (PreparedStatement query = connection()
                    .prepareStatement("SELECT id, user_id, min_version, api_key_id, reason FROM " + table
                            + " WHERE id > ? ORDER BY id LIMIT " + BATCH)) {
                query.setLong(1, id);
                try (ResultSet rs = query.executeQuery()) {
                    while (rs.next()) {
                        entries.add(new Revocation(
                                rs.getLong("id"),
                                rs.getObject("user_id", UUID.class),
                                rs.getInt("min_version"),
                                rs.getObject("api_key_id", UUID.class),
                                rs.getString("reason")));
                    }
                }
                tableMissing = false;
            } catch (SQLException e) {
                if (!"42P01".equals(e.getSQLState())) {
                    throw e;
                }
                if (!tableMissing) {
                    log.info("The revocation feed table {} does not exist (yet): nothing was revoked so far", table);
                    tableMissing = true;
                }
            }
            return entries;
        }

        @Override
        public void await(Duration max) throws SQLException {
            connection().unwrap(org.postgresql.PGConnection.class).getNotifications((int) Math.max(1, max.toMillis()));
        }

        /** The connection {@link #open()} made; the feed's loop opens before it reads. */
        private Connection connection() {
            return java.util.Objects.requireNonNull(connection, "the revocation feed is not open");
        }

        @Override
        public void close() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // already gone
                }
                connection = null;
            }
        }
    }

    private static final class HttpSource implements Source {
        private static final JsonMapper JSON = JsonMapper.builder().build();
        private final URI url;
        private final HttpClient client;

        HttpSource(URI url, HttpClient client) {
            this.url = url;
            this.client = client;
        }

        @Override
        public void open() {}

        @Override
        public List<Revocation> after(long id) throws Exception {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create(url + "?after=" + id))
                            .timeout(Duration.ofSeconds(3))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the revocation feed answered " + response.statusCode());
            }
            List<Revocation> entries = new ArrayList<>();
            for (JsonNode item : JSON.readTree(response.body()).path("items")) {
                entries.add(new Revocation(
                        item.path("id").asLong(),
                        uuid(item.path("userId")),
                        item.path("minVersion").asInt(),
                        uuid(item.path("apiKeyId")),
                        item.path("reason").asString(null)));
            }
            return entries;
        }

        private static @Nullable UUID uuid(JsonNode node) {
            return node.isString() ? UUID.fromString(node.asString()) : null;
        }

        @Override
        public void await(Duration max) throws InterruptedException {
            Thread.sleep(max);
        }

        @Override
        public void close() {}
    }
}
