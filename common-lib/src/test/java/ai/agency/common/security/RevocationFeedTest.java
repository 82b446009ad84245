package ai.agency.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The feed against a real PostgreSQL: a table plus NOTIFY, as auth-service publishes it. */
class RevocationFeedTest {

    static TestDatabase.Coordinates db;

    RevocationFeed feed;

    @BeforeAll
    static void database() throws Exception {
        db = TestDatabase.create();
        sql("CREATE SCHEMA IF NOT EXISTS auth");
        sql("CREATE TABLE IF NOT EXISTS auth.revocations (id bigserial PRIMARY KEY, user_id uuid NOT NULL, "
                + "min_version integer NOT NULL DEFAULT 0, api_key_id uuid, reason text NOT NULL, "
                + "created_at timestamptz NOT NULL DEFAULT now())");
    }

    @AfterEach
    void stop() {
        if (feed != null) {
            feed.stop();
        }
    }

    static void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(db.url(), db.username(), db.password());
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    static void publish(UUID user, int version, UUID key) throws Exception {
        sql("BEGIN; INSERT INTO auth.revocations (user_id, min_version, api_key_id, reason) VALUES ('" + user + "', "
                + version + ", " + (key == null ? "NULL" : "'" + key + "'") + ", 'test'); "
                + "NOTIFY agency_revocations; COMMIT");
    }

    private RevocationFeed start(Revocations revocations, Duration safetyNet) {
        feed = RevocationFeed.database(
                revocations,
                db.url(),
                db.username(),
                db.password(),
                "auth.revocations",
                "agency_revocations",
                safetyNet);
        feed.start();
        return feed;
    }

    @Test
    void revocationsPublishedBeforeStartAreKnownWhenStartReturns() throws Exception {
        UUID user = UUID.randomUUID();
        publish(user, 3, null);
        Revocations revocations = new Revocations();
        assertThat(revocations.isRevoked(user, 99, null))
                .as("fail closed before the first read")
                .isTrue();

        start(revocations, Duration.ofMinutes(1));

        assertThat(revocations.isRevoked(user, 2, null)).isTrue();
        assertThat(revocations.isRevoked(user, 3, null)).isFalse();
        assertThat(revocations.isRevoked(UUID.randomUUID(), 0, null)).isFalse();
    }

    @Test
    void aNotifiedRevocationArrivesWithoutWaitingForThePoll() throws Exception {
        Revocations revocations = new Revocations();
        CopyOnWriteArrayList<Revocations.Revocation> seen = new CopyOnWriteArrayList<>();
        revocations.onRevocation(seen::add);
        start(revocations, Duration.ofMinutes(10)); // the safety-net poll never comes within this test
        UUID user = UUID.randomUUID();
        UUID key = UUID.randomUUID();

        publish(user, 0, key);

        await().atMost(Duration.ofSeconds(5)).until(() -> revocations.isRevoked(user, 0, key));
        assertThat(revocations.isRevoked(user, 0, null)).isFalse();
        assertThat(seen).anyMatch(r -> key.equals(r.apiKeyId()));
    }

    @Test
    void aMissingFeedTableReadsAsNothingRevoked() {
        Revocations revocations = new Revocations();
        feed = RevocationFeed.database(
                revocations,
                db.url(),
                db.username(),
                db.password(),
                "nowhere.revocations",
                "agency_revocations",
                Duration.ofMinutes(1));
        feed.start();

        assertThat(revocations.ready()).isTrue();
        assertThat(revocations.isRevoked(UUID.randomUUID(), 0, null)).isFalse();
    }
}
