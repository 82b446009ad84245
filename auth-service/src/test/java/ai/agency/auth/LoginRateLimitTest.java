package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class LoginRateLimitTest extends AuthApiTest {

    @Test
    void repeatedFailuresLockTheUsernameWith429AndRetryAfterEvenForTheRightPassword() {
        Account account = register();
        for (int i = 0; i < 5; i++) {
            assertProblem(loginFrom(randomAddress(), account.username(), "wrong password " + i), 401, "authentication");
        }

        Response locked = loginFrom(randomAddress(), account.username().toUpperCase(), account.password());

        assertProblem(locked, 429, "rate_limit");
        long retryAfter =
                Long.parseLong(locked.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 15 * 60L);
    }

    @Test
    void theLockLiftsByItselfWhenItsTimeHasPassed() {
        Account account = register();
        for (int i = 0; i < 5; i++) {
            loginFrom(randomAddress(), account.username(), "wrong password");
        }
        assertProblem(loginFrom(randomAddress(), account.username(), account.password()), 429, "rate_limit");

        // let the lock's time pass (instead of sleeping 15 minutes)
        jdbc.sql("UPDATE login_failures SET locked_until = now() - interval '1 second' WHERE throttle_key = :k")
                .param("k", "user:" + account.username().toLowerCase())
                .update();

        assertThat(loginFrom(randomAddress(), account.username(), account.password())
                        .status())
                .isEqualTo(200);
    }

    @Test
    void unknownUsernamesAreLockedTheSameWaySoLocksRevealNothing() {
        String nobody = uniqueUsername("nobody");
        for (int i = 0; i < 5; i++) {
            assertProblem(loginFrom(randomAddress(), nobody, "guess " + i), 401, "authentication");
        }

        assertProblem(loginFrom(randomAddress(), nobody, "guess"), 429, "rate_limit");
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
    void aSuccessfulLoginClearsTheUsernamesEarlierFailures() {
        Account account = register();
        for (int i = 0; i < 4; i++) {
            loginFrom(randomAddress(), account.username(), "wrong password");
        }
        loginOk(account.username(), account.password());

        for (int i = 0; i < 4; i++) {
            assertProblem(loginFrom(randomAddress(), account.username(), "wrong again"), 401, "authentication");
        }
        assertThat(loginFrom(randomAddress(), account.username(), account.password())
                        .status())
                .isEqualTo(200);
    }
}
