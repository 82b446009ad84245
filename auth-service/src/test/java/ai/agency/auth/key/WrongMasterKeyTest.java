package ai.agency.auth.key;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.auth.AuthApiTest;
import ai.agency.auth.AuthServiceApplication;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.core.env.Environment;

class WrongMasterKeyTest extends AuthApiTest {

    @Autowired
    Environment environment;

    @Test
    void aServiceStartedWithAnotherMasterKeyRefusesToStartAndSaysWhy() {
        login("root-admin", ADMIN_PASSWORD); // the running service has sealed its signing key by now
        String otherKey = Base64.getEncoder().encodeToString(new byte[32]);

        assertThatThrownBy(() -> start("--agency.auth.master-key=" + otherKey))
                .hasStackTraceContaining("AGENCY_MASTER_KEY differs");
    }

    @Test
    void aServiceWithoutMasterKeyRefusesToStart() {
        // before: it started on the constant development key, so whoever could read the database could decrypt the
        // signing keys (and the TOTP secrets) and forge a token for anyone
        assertThatThrownBy(() -> start("--agency.auth.master-key="))
                .hasStackTraceContaining("AGENCY_MASTER_KEY is not set")
                .hasStackTraceContaining("AGENCY_ALLOW_INSECURE_DEVELOPMENT_MASTER_KEY");
    }

    private void start(String masterKeySetting) {
        // command-line arguments outrank application.yml (builder properties would not)
        new SpringApplicationBuilder(AuthServiceApplication.class)
                .run(
                        "--server.port=0",
                        "--spring.datasource.url=" + environment.getProperty("spring.datasource.url"),
                        "--spring.datasource.username=" + environment.getProperty("spring.datasource.username"),
                        "--spring.datasource.password=" + environment.getProperty("spring.datasource.password"),
                        masterKeySetting,
                        "--agency.usage.ingest-secret=" + USAGE_SECRET,
                        "--agency.auth.bcrypt-cost=10")
                .close();
    }
}
