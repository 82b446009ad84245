package ai.agency.common.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import ai.agency.common.error.RateLimitedException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class UserConcurrencyLimitTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void aUserPastTheirSlotsIs429WhileAnotherUserIsServed() {
        UserConcurrencyLimit limit = new UserConcurrencyLimit("things", 4, 100, Duration.ofMillis(50), meters);
        UUID alice = UUID.randomUUID();
        List<UserConcurrencyLimit.Permit> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(limit.acquire(alice));
        }

        assertThatThrownBy(() -> limit.acquire(alice)).isInstanceOfSatisfying(RateLimitedException.class, e -> {
            assertThat(e.errorType()).isEqualTo(ErrorType.RATE_LIMIT);
            assertThat(e.retryAfterSeconds()).isEqualTo(1);
            assertThat(e.getMessage()).contains("at most 4");
        });
        assertThat(limit.tryAcquire(alice)).isEmpty();
        try (UserConcurrencyLimit.Permit bob = limit.acquire(UUID.randomUUID())) {
            assertThat(limit.inFlight()).isEqualTo(5);
        }
        assertThat(limit.inFlight(alice)).isEqualTo(4);
        assertThat(meters.get("agency.concurrency.rejected")
                        .tag("limit", "things")
                        .tag("scope", "user")
                        .counter()
                        .count())
                .isEqualTo(2);

        held.forEach(UserConcurrencyLimit.Permit::close);
        assertThat(limit.tryAcquire(alice)).isPresent();
    }

    @Test
    void aWaitingCallerGetsTheSlotThatIsGivenBack() throws Exception {
        UserConcurrencyLimit limit = new UserConcurrencyLimit("things", 1, 100, Duration.ofSeconds(30), null);
        UUID alice = UUID.randomUUID();
        UserConcurrencyLimit.Permit first = limit.acquire(alice);
        CompletableFuture<UserConcurrencyLimit.Permit> second =
                CompletableFuture.supplyAsync(() -> limit.acquire(alice));

        first.close();

        UserConcurrencyLimit.Permit got = second.get(30, TimeUnit.SECONDS);
        assertThat(limit.inFlight(alice)).isEqualTo(1);
        got.close();
    }

    @Test
    void whenEveryonesSlotsAreBusyTheServiceAnswersResourceExhausted() {
        UserConcurrencyLimit limit = new UserConcurrencyLimit("things", 4, 2, Duration.ZERO, null);
        limit.acquire(UUID.randomUUID());
        limit.acquire(UUID.randomUUID());

        UUID carol = UUID.randomUUID();
        assertThatThrownBy(() -> limit.acquire(carol))
                .isInstanceOf(AgencyException.class)
                .isNotInstanceOf(RateLimitedException.class)
                .extracting(e -> ((AgencyException) e).errorType())
                .isEqualTo(ErrorType.RESOURCE_EXHAUSTED);
        assertThat(limit.inFlight(carol))
                .as("the refused caller keeps no slot of its own")
                .isZero();
    }

    @Test
    void aUsersEntryLivesOnlyWhileSlotsAreHeldAndClosingTwiceGivesBackOne() {
        UserConcurrencyLimit limit = new UserConcurrencyLimit("things", 2, 100, Duration.ZERO, null);
        UUID alice = UUID.randomUUID();
        UserConcurrencyLimit.Permit a = limit.acquire(alice);
        UserConcurrencyLimit.Permit b = limit.acquire(alice);
        assertThatThrownBy(() -> limit.acquire(alice)).isInstanceOf(RateLimitedException.class);

        a.close();
        a.close();
        assertThat(limit.inFlight(alice)).isEqualTo(1);
        assertThat(limit.trackedUsers()).isEqualTo(1);
        b.close();
        assertThat(limit.trackedUsers()).isZero();
        assertThat(limit.inFlight()).isZero();
    }

    @Test
    void shrinkingTheTotalLetsNobodyInUntilTheWorkInFlightIsBelowIt() {
        UserConcurrencyLimit limit = new UserConcurrencyLimit("things", 4, 4, Duration.ZERO, null);
        List<UserConcurrencyLimit.Permit> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(limit.acquire(UUID.randomUUID()));
        }

        limit.resizeTotal(2);

        assertThat(limit.totalSlots()).isEqualTo(2);
        assertThat(limit.inFlight()).as("nothing running is cut off").isEqualTo(4);
        held.remove(0).close();
        held.remove(0).close();
        assertThat(limit.tryAcquire(UUID.randomUUID()))
                .as("2 still run, the new total")
                .isEmpty();
        held.remove(0).close();
        assertThat(limit.tryAcquire(UUID.randomUUID())).isPresent();
        assertThat(limit.tryAcquire(UUID.randomUUID())).isEmpty();
    }

    @Test
    void growingTheTotalAdmitsAWaitingCallerAtOnce() throws Exception {
        UserConcurrencyLimit limit = new UserConcurrencyLimit("things", 4, 1, Duration.ofSeconds(30), null);
        limit.acquire(UUID.randomUUID());
        CompletableFuture<UserConcurrencyLimit.Permit> waiting =
                CompletableFuture.supplyAsync(() -> limit.acquire(UUID.randomUUID()));

        limit.resizeTotal(3);

        assertThat(waiting.get(30, TimeUnit.SECONDS)).isNotNull();
        assertThat(limit.inFlight()).isEqualTo(2);
        assertThat(limit.tryAcquire(UUID.randomUUID())).isPresent();
        assertThat(limit.tryAcquire(UUID.randomUUID())).isEmpty();
        assertThatThrownBy(() -> limit.resizeTotal(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
