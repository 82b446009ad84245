package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.HttpFrom;
import ai.agency.platform.Api.Reply;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The client's address, against the real jars in their default configuration: the services see the client's own address
 * through the gateway (clients on this machine at {@code 127.0.0.5} … {@code 127.0.0.9}, whose sockets are bound to
 * those addresses), no client can claim another one with forwarding headers, one client's failed logins do not lock
 * anyone else out, and no stranger can lock the admin out.
 */
class ClientAddressIT {

    private static RunningPlatform platform;

    @BeforeAll
    static void startPlatform() {
        platform = RunningPlatform.get();
    }

    @Test
    void aLoginThroughTheGatewayIsAuditedWithTheClientsAddress() {
        Account account = register();

        HttpFrom.Reply login = login("127.0.0.5", platform.gateway(), account.username(), account.password(), Map.of());

        assertThat(login.status()).as(login.body()).isEqualTo(200);
        assertThat(lastLoginAddress(account)).isEqualTo("127.0.0.5");
    }

    @Test
    void aClientCannotSpoofItsAddressWithXForwardedFor() {
        Account account = register();
        Map<String, String> spoofed = Map.of(
                "X-Forwarded-For", "203.0.113.9",
                "Forwarded", "for=203.0.113.9",
                "X-Real-IP", "203.0.113.9");

        // through the gateway, from another machine's address and from the gateway's own (loopback)
        assertThat(login("127.0.0.5", platform.gateway(), account.username(), account.password(), spoofed)
                        .status())
                .isEqualTo(200);
        assertThat(lastLoginAddress(account)).isEqualTo("127.0.0.5");
        assertThat(login("127.0.0.1", platform.gateway(), account.username(), account.password(), spoofed)
                        .status())
                .isEqualTo(200);
        assertThat(lastLoginAddress(account)).isEqualTo("127.0.0.1");

        // straight at auth-service: it believes the header only from the gateway
        assertThat(login("127.0.0.5", platform.service("auth-service"), account.username(), account.password(), spoofed)
                        .status())
                .isEqualTo(200);
        assertThat(lastLoginAddress(account)).isEqualTo("127.0.0.5");
    }

    @Test
    void fiftyFailedLoginsFromOneClientDoNotLockOthersOut() {
        Account other = register();
        for (int i = 0; i < 50; i++) {
            HttpFrom.Reply failed = login(
                    "127.0.0.7",
                    platform.gateway(),
                    "nobody" + UUID.randomUUID().toString().substring(0, 8),
                    "guess " + i,
                    Map.of());
            assertThat(failed.status()).as(failed.body()).isEqualTo(401);
        }
        // that client is locked now (the per-address limit still works, on its own address) ...
        HttpFrom.Reply locked = login("127.0.0.7", platform.gateway(), other.username(), other.password(), Map.of());
        assertThat(locked.status()).as(locked.body()).isEqualTo(429);

        // ... and no one else is
        assertThat(login("127.0.0.8", platform.gateway(), other.username(), other.password(), Map.of())
                        .status())
                .isEqualTo(200);
        assertThat(Api.send(
                                platform.gateway(),
                                "POST",
                                "/api/v1/auth/login",
                                null,
                                credentials(other.username(), other.password()),
                                "application/json")
                        .status())
                .isEqualTo(200);
    }

    @Test
    void anAnonymousAttackerCannotLockTheAdminOutForGood() {
        List<Long> retryAfters = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            HttpFrom.Reply guess = login("127.0.0.6", platform.gateway(), "admin", "guess-" + i, Map.of());
            assertThat(guess.status()).as(guess.body()).isIn(401, 429);
            if (guess.status() == 429) {
                retryAfters.add(Long.parseLong(guess.header("Retry-After")));
            }
        }
        // the attacker is slowed down ...
        assertThat(retryAfters).isNotEmpty().allSatisfy(s -> assertThat(s).isBetween(1L, 900L));

        // ... the admin is not, from anywhere else
        assertThat(login("127.0.0.9", platform.gateway(), "admin", platform.adminPassword, Map.of())
                        .status())
                .isEqualTo(200);
        assertThat(Api.send(
                                platform.gateway(),
                                "POST",
                                "/api/v1/auth/login",
                                null,
                                credentials("admin", platform.adminPassword),
                                "application/json")
                        .status())
                .isEqualTo(200);
    }

    private record Account(String username, String password, String id) {}

    private static Account register() {
        String username = "addr" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String password = "password-" + UUID.randomUUID();
        Reply registered = Api.send(
                platform.gateway(),
                "POST",
                "/api/v1/auth/register",
                null,
                "{\"username\":\"" + username + "\",\"email\":\"" + username + "@example.com\",\"password\":\""
                        + password + "\"}",
                "application/json");
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        return new Account(username, password, registered.json().get("id").asString());
    }

    private static HttpFrom.Reply login(
            String from, URI base, String username, String password, Map<String, String> headers) {
        return HttpFrom.send(
                from, "POST", base.resolve("/api/v1/auth/login"), headers, credentials(username, password));
    }

    private static String credentials(String username, String password) {
        return "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}";
    }

    /** The address of the account's latest {@code login.success} in the audit log (read by the admin). */
    private static String lastLoginAddress(Account account) {
        Reply admin = Api.send(
                platform.gateway(),
                "POST",
                "/api/v1/auth/login",
                null,
                credentials("admin", platform.adminPassword),
                "application/json");
        assertThat(admin.status()).as(admin.body()).isEqualTo(200);
        Reply audit = Api.send(
                platform.gateway(),
                "GET",
                "/api/v1/admin/audit?type=login.success&limit=1&userId=" + account.id(),
                admin.json().get("accessToken").asString(),
                null,
                null);
        assertThat(audit.status()).as(audit.body()).isEqualTo(200);
        JsonNode items = audit.json().get("items");
        assertThat(items).as(audit.body()).hasSize(1);
        return items.get(0).path("details").path("address").asString();
    }
}
