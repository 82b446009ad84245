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

        // command-line arguments outrank application.yml (builder properties would not)
        assertThatThrownBy(() -> new SpringApplicationBuilder(AuthServiceApplication.class)
                        .run(
                                "--server.port=0",
                                "--spring.datasource.url=" + environment.getProperty("spring.datasource.url"),
                                "--spring.datasource.username=" + environment.getProperty("spring.datasource.username"),
                                "--spring.datasource.password=" + environment.getProperty("spring.datasource.password"),
                                "--agency.auth.master-key=" + otherKey,
                                "--agency.auth.bcrypt-cost=10")
                        .close())
                .hasStackTraceContaining("AGENCY_MASTER_KEY differs");
    }
}
