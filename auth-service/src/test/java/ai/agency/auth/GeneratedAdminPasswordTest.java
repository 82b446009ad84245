package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.crypto.SecretSealer;
import ai.agency.common.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The first start without {@code AGENCY_ADMIN_PASSWORD}, on a database of its own (no admin yet): the generated
 * password goes to a file only its user can read, never to the log, which is shipped and read by many.
 */
@ExtendWith(OutputCaptureExtension.class)
class GeneratedAdminPasswordTest {

    @Test
    void aGeneratedAdminPasswordIsInNoLogLineOnlyInAnOwnerOnlyFile(CapturedOutput output, @TempDir Path dir)
            throws Exception {
        TestDatabase.Coordinates db = TestDatabase.create();
        Path file = dir.resolve("state/admin-password");

        try (ConfigurableApplicationContext auth = new SpringApplicationBuilder(AuthServiceApplication.class)
                .run(
                        "--server.port=0",
                        "--spring.datasource.url=" + db.url(),
                        "--spring.datasource.username=" + db.username(),
                        "--spring.datasource.password=" + db.password(),
                        "--agency.auth.master-key=" + SecretSealer.newMasterKey(),
                        "--agency.usage.ingest-secret=" + AuthApiTest.USAGE_SECRET,
                        "--agency.auth.admin-username=first-admin",
                        "--agency.auth.admin-password=",
                        "--agency.auth.admin-password-file=" + file,
                        "--agency.auth.bcrypt-cost=10")) {
            assertThat(file).exists();
            String password = Files.readString(file).strip();
            assertThat(password).hasSizeGreaterThanOrEqualTo(24);
            assertThat(Files.getPosixFilePermissions(file))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

            assertThat(output.getAll()).contains("first-admin").contains(file.toString());
            assertThat(output.getAll().lines()).noneMatch(line -> line.contains(password));

            int port = Integer.parseInt(auth.getEnvironment().getProperty("local.server.port"));
            HttpResponse<String> login = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/auth/login"))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"username\":\"first-admin\",\"password\":\"" + password + "\"}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        }
    }
}
