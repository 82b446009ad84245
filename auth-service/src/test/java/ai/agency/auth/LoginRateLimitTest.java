package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Failed-login limits (test settings: 5 failures of a username at an address, then delays of 30 s doubling up to
 * 15 min; 20 failures lock an address).
 */
class LoginRateLimitTest extends AuthApiTest {

    @Test
    void repeatedFailuresFromOneAddressGet429WithRetryAfterEvenForTheRightPassword() {
        Account account = register();
        String address = randomAddress();
        for (int i = 0; i < 5; i++) {
            assertProblem(loginFrom(address, account.username(), "wrong password " + i), 401, "authentication");
        }

        Response slowed = loginFrom(address, account.username().toUpperCase(), account.password());

        assertProblem(slowed, 429, "rate_limit");
        assertThat(retryAfter(slowed)).isBetween(1L, 30L);
    }

    @Test
    void theRetryAfterGrowsWithEachFailureUpToTheLockDuration() {
        Account account = register();
        String address = randomAddress();
        for (int i = 0; i < 4; i++) {
            loginFrom(address, account.username(), "wrong password");
        }
        long previous = 0;
        for (long expected : new long[] {30, 60, 120, 240, 480, 900, 900}) {
            waitOut(account.username(), address);
            assertProblem(loginFrom(address, account.username(), "wrong again"), 401, "authentication");
            long retryAfter = retryAfter(loginFrom(address, account.username(), account.password()));
            assertThat(retryAfter).isBetween(expected - 2, expected).isGreaterThanOrEqualTo(previous);
            previous = retryAfter;
        }
    }

    @Test
    void anAttackerFailingOnPurposeCannotLockTheOwnerOut() {
        Account account = register();
        String attacker = randomAddress();
        for (int i = 0; i < 5; i++) {
            loginFrom(attacker, account.username(), "guess " + i);
        }
        for (int i = 0; i < 10; i++) { // and on, as soon as each delay lifts
            waitOut(account.username(), attacker);
            loginFrom(attacker, account.username(), "guess again " + i);
        }
        assertProblem(loginFrom(attacker, account.username(), account.password()), 429, "rate_limit");

        assertThat(loginFrom(randomAddress(), account.username(), account.password())
                        .status())
                .isEqualTo(200);
    }

    @Test
    void theDelayLiftsByItselfWhenItsTimeHasPassed() {
        Account account = register();
        String address = randomAddress();
        for (int i = 0; i < 5; i++) {
            loginFrom(address, account.username(), "wrong password");
        }
        assertProblem(loginFrom(address, account.username(), account.password()), 429, "rate_limit");

        waitOut(account.username(), address);

        assertThat(loginFrom(address, account.username(), account.password()).status())
                .isEqualTo(200);
    }

    @Test
    void unknownUsernamesAreSlowedTheSameWaySoDelaysRevealNothing() {
        String nobody = uniqueUsername("nobody");
        String address = randomAddress();
        for (int i = 0; i < 5; i++) {
            assertProblem(loginFrom(address, nobody, "guess " + i), 401, "authentication");
        }

        assertProblem(loginFrom(address, nobody, "guess"), 429, "rate_limit");
    }

    @Test
    void oneAddressTryingManyUsernamesIsLockedButOtherAddressesAreNot() {
        Account account = register();
        String attacker = randomAddress();
        for (int i = 0; i < 20; i++) {
            loginFrom(attacker, uniqueUsername("spray"), "password123456");
        }

        JsonNode problem =
                assertProblem(loginFrom(attacker, account.username(), account.password()), 429, "rate_limit");
        assertThat(problem.get("detail").asString()).doesNotContain(account.username());

        assertThat(loginFrom(randomAddress(), account.username(), account.password())
                        .status())
                .isEqualTo(200);
    }

    @Test
    void anIpv6ClientCannotEscapeTheAddressLimitByMovingWithinItsSlash64() {
        Account account = register();
        String prefix = "2001:db8:" + Integer.toHexString(randomAddress().hashCode() & 0xffff) + ":7:";
        for (int i = 0; i < 20; i++) {
            loginFrom(prefix + Integer.toHexString(i + 1) + ":0:0:1", uniqueUsername("spray"), "password123456");
        }

        assertProblem(loginFrom(prefix + "abcd:0:0:2", account.username(), account.password()), 429, "rate_limit");
    }

    @Test
    void aSuccessfulLoginClearsTheUsernamesEarlierFailuresAtThatAddress() {
        Account account = register();
        String address = randomAddress();
        for (int i = 0; i < 4; i++) {
            loginFrom(address, account.username(), "wrong password");
        }
        assertThat(loginFrom(address, account.username(), account.password()).status())
                .isEqualTo(200);

        for (int i = 0; i < 4; i++) {
            assertProblem(loginFrom(address, account.username(), "wrong again"), 401, "authentication");
        }
        assertThat(loginFrom(address, account.username(), account.password()).status())
                .isEqualTo(200);
    }

    /** Lets the delay of this username at this address pass (instead of sleeping). */
    private void waitOut(String username, String address) {
        jdbc.sql("UPDATE login_failures SET locked_until = now() - interval '1 second' WHERE throttle_key = :k")
                .param("k", "user:" + username.toLowerCase() + "|addr:" + address)
                .update();
    }

    private static long retryAfter(Response response) {
        assertProblem(response, 429, "rate_limit");
        return Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow());
    }
}
