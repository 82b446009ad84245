package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code ./platform backup} and {@code ./platform restore} against the running platform's database: the backup is
 * sealed (its data cannot be read from the file), a wrong key or a changed file restores nothing, and a restore into a
 * fresh database serves the same data through the API — memory-service is moved onto the restored database and reads
 * back a memory that was deleted from the live one after the backup.
 */
class BackupRestoreIT {

    private final RunningPlatform platform = RunningPlatform.get();

    record Result(int exit, String output) {}

    @Test
    void aSealedBackupRestoresIntoAFreshDatabaseAndServesTheSameData() throws Exception {
        URI gateway = platform.gateway();
        String token = Api.newUserToken(gateway);
        String marker = "backup-marker-" + UUID.randomUUID();
        Api.Reply added = Api.send(
                gateway,
                "POST",
                "/api/v1/memories",
                token,
                "{\"content\":\"My bike lock code is " + marker + "\",\"infer\":false}",
                "application/json");
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        String id = added.json().get("results").get(0).get("id").asString();

        Path dir = Files.createTempDirectory("agency-backup");
        Path file = dir.resolve("platform.backup");
        Result backup = platform(Map.of(), "backup", file.toString());
        assertThat(backup.exit()).as(backup.output()).isZero();
        String raw = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        assertThat(raw)
                .as("the backup is sealed, not a plain pg_dump archive (which starts with PGDMP)")
                .startsWith("AGENCY-BACKUP-1\n")
                .doesNotContain("PGDMP")
                .doesNotContain(marker)
                .doesNotContain("bike lock");

        // deleted from the live database after the backup: what the restored database serves comes from the file
        assertThat(Api.send(gateway, "DELETE", "/api/v1/memories/" + id, token, null, null)
                        .status())
                .isEqualTo(204);

        TestDatabase.Coordinates fresh = TestDatabase.create();
        Result wrongKey = platform(
                Map.of("AGENCY_BACKUP_PASSPHRASE", "not-the-key"), "restore", file.toString(), "--into", fresh.url());
        assertThat(wrongKey.exit()).isNotZero();
        assertThat(wrongKey.output()).contains("cannot be decrypted");
        Path changed = dir.resolve("changed.backup");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(changed, bytes);
        Result tampered = platform(Map.of(), "restore", changed.toString(), "--into", fresh.url());
        assertThat(tampered.exit()).isNotZero();
        assertThat(tables(fresh)).as("nothing restored from a refused file").isZero();

        Result restore = platform(Map.of(), "restore", file.toString(), "--into", fresh.url());
        assertThat(restore.exit()).as(restore.output()).isZero();
        Result again = platform(Map.of(), "restore", file.toString(), "--into", fresh.url());
        assertThat(again.output()).as("never over live data").contains("restore into an empty database");

        platform.moveService("memory-service", fresh);
        try {
            Api.Reply found = Api.send(gateway, "GET", "/api/v1/memories/" + id, token, null, null);
            assertThat(found.status()).as(found.body()).isEqualTo(200);
            assertThat(found.json().get("memory").asString()).contains(marker);
        } finally {
            platform.moveService("memory-service", platform.database());
        }
        assertThat(Api.send(gateway, "GET", "/api/v1/memories/" + id, token, null, null)
                        .status())
                .isEqualTo(404);
    }

    /** Runs {@code ./platform <args>} on the test platform's database, with its master key. */
    private Result platform(Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("agency.repository.root", ".."))
                .toAbsolutePath()
                .normalize();
        List<String> command = new ArrayList<>(List.of(root.resolve("platform").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        TestDatabase.Coordinates db = platform.database();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("AGENCY_DB_URL", db.url());
        env.put("AGENCY_DB_USERNAME", db.username());
        env.put("AGENCY_DB_PASSWORD", db.password());
        env.put("AGENCY_MASTER_KEY", platform.masterKey);
        env.remove("AGENCY_BACKUP_PASSPHRASE");
        env.putAll(extraEnv);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("./platform " + String.join(" ", args) + " did not finish: " + output);
        }
        return new Result(process.exitValue(), output);
    }

    private static long tables(TestDatabase.Coordinates db) throws SQLException {
        try (var connection = DriverManager.getConnection(db.url(), db.username(), db.password());
                var rs = connection
                        .createStatement()
                        .executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname NOT IN "
                                + "('pg_catalog', 'information_schema', 'public')")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
