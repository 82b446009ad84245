package ai.agency.auth.account;

import ai.agency.auth.AuthProperties;
import ai.agency.common.security.Caller;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Creates the first admin at first start, from {@code AGENCY_ADMIN_USERNAME}/{@code AGENCY_ADMIN_PASSWORD}, or
 * with a generated password written once to the log.
 */
@Component
class AdminBootstrap implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);

    private final UserRepository users;
    private final AccountService accounts;
    private final AuthProperties properties;

    AdminBootstrap(UserRepository users, AccountService accounts, AuthProperties properties) {
        this.users = users;
        this.accounts = accounts;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (users.anyAdmin()) {
            return;
        }
        String password = properties.adminPassword();
        boolean generated = password == null || password.isBlank();
        if (generated) {
            byte[] bytes = new byte[18];
            new SecureRandom().nextBytes(bytes);
            password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }
        String username = properties.adminUsername();
        accounts.register(username, username + "@localhost.localdomain", password, List.of(Caller.ADMIN, Caller.USER));
        if (generated) {
            log.warn(
                    "Created the first admin '{}' with the generated password: {} (shown once; change it)",
                    username,
                    password);
        } else {
            log.info("Created the first admin '{}' from AGENCY_ADMIN_USERNAME/AGENCY_ADMIN_PASSWORD", username);
        }
    }
}
