package ai.agency.auth.account;

import ai.agency.auth.AuthProperties;
import ai.agency.common.security.Caller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Creates the first admin at first start, from {@code AGENCY_ADMIN_USERNAME}/{@code AGENCY_ADMIN_PASSWORD}, or with
 * a generated password written to {@code agency.auth.admin-password-file} (owner-only permissions). A password is
 * never logged: logs are shipped, kept and read by more people than the admin.
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
        Path file = properties.adminPasswordFile().toAbsolutePath();
        if (generated) {
            byte[] bytes = new byte[18];
            new SecureRandom().nextBytes(bytes);
            password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            writeOwnerOnly(file, password); // before the account exists: a password nobody can read is never set
        }
        String username = properties.adminUsername();
        accounts.register(username, username + "@localhost.localdomain", password, List.of(Caller.ADMIN, Caller.USER));
        if (generated) {
            log.warn(
                    "Created the first admin '{}' with a generated password, written to {} (readable by this user"
                            + " only); sign in and change it",
                    username,
                    file);
        } else {
            log.info("Created the first admin '{}' from AGENCY_ADMIN_USERNAME/AGENCY_ADMIN_PASSWORD", username);
        }
    }

    /** Writes {@code text} to {@code file} (replacing it) so that only the service's own user can read it. */
    static void writeOwnerOnly(Path file, String text) {
        try {
            Path dir = file.getParent();
            Files.createDirectories(dir);
            boolean posix =
                    FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
            Path temp = posix
                    ? Files.createTempFile(
                            dir,
                            ".admin-password",
                            ".tmp",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(dir, ".admin-password", ".tmp");
            try {
                Files.writeString(temp, text + "\n", StandardCharsets.UTF_8);
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot write the generated admin password to " + file
                            + "; set AGENCY_ADMIN_PASSWORD, or AGENCY_ADMIN_PASSWORD_FILE to a writable path",
                    e);
        }
    }
}
