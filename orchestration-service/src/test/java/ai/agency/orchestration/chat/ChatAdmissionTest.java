package ai.agency.orchestration.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.common.error.RateLimitedException;
import ai.agency.common.limit.UserConcurrencyLimit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ChatAdmissionTest {

    private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();

    private ChatAdmission admission(int perUser, int total) {
        return admission(perUser, total, Duration.ofMillis(250));
    }

    private ChatAdmission admission(int perUser, int total, Duration prepareLatency) {
        return new ChatAdmission(
                new ChatProperties(
                        true,
                        Duration.ofSeconds(30),
                        true,
                        2000,
                        4,
                        100,
                        perUser,
                        total,
                        Duration.ZERO,
                        prepareLatency),
                new SimpleMeterRegistry());
    }

    private static ChatAdmission.Admitted preparedAfter(ChatAdmission admission, Duration preparation)
            throws InterruptedException {
        ChatAdmission.Admitted turn = admission.admit(UUID.randomUUID());
        Thread.sleep(preparation);
        turn.watching(TurnEvents.NONE).emit("memory", null);
        return turn;
    }

    @Test
    void aUserPastTheirTurnsIsShedWith429WhileAnotherUserIsAdmitted() {
        // the stress run: every turn was admitted, and at 2x the saturation rate p99 reached 13-32 s with no 429
        ChatAdmission admission = admission(2, 10);
        UUID alice = UUID.randomUUID();
        List<UserConcurrencyLimit.Permit> held =
                new ArrayList<>(List.of(admission.admit(alice), admission.admit(alice)));

        assertThatThrownBy(() -> admission.admit(alice)).isInstanceOf(RateLimitedException.class);
        held.add(admission.admit(UUID.randomUUID()));
        assertThat(admission.inFlight()).isEqualTo(3);
        held.forEach(UserConcurrencyLimit.Permit::close);
        assertThat(admission.inFlight()).isZero();
    }

    @Test
    void turnsPastTheServicesSlotsAreShedWith429NotA503() {
        ChatAdmission admission = admission(4, 3);
        List<UserConcurrencyLimit.Permit> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(admission.admit(UUID.randomUUID()));
        }

        assertThatThrownBy(() -> admission.admit(UUID.randomUUID()))
                .isInstanceOfSatisfying(
                        RateLimitedException.class,
                        e -> assertThat(e.retryAfterSeconds()).isEqualTo(1));
        held.getFirst().close();
        assertThat(admission.admit(UUID.randomUUID())).as("a slot came back").isNotNull();
    }

    @Test
    void turnsThatPrepareSlowlyShrinkTheAdaptiveLimitSoTheNextOnesAreShed() throws Exception {
        // the fixed total of 4 per processor let 8 turns share 2 cores: at 2x saturation admitted p99 was 2.2-2.8 s
        ChatAdmission admission = admission(4, 0, Duration.ofMillis(10));
        assertThat(admission.limit()).as("the start: 4 per processor").isEqualTo(4 * PROCESSORS);

        for (int i = 0; i < 30; i++) {
            preparedAfter(admission, Duration.ofMillis(30)).close(); // slower than the 10 ms bar: overload
        }

        assertThat(admission.limit())
                .as("backed off to its floor, one per processor")
                .isEqualTo(PROCESSORS);
        List<ChatAdmission.Admitted> held = new ArrayList<>();
        for (int i = 0; i < PROCESSORS; i++) {
            held.add(admission.admit(UUID.randomUUID()));
        }
        assertThatThrownBy(() -> admission.admit(UUID.randomUUID()))
                .as("the turns running fill the smaller limit: the next is shed")
                .isInstanceOf(RateLimitedException.class);
        held.getFirst().close();
        assertThat(admission.admit(UUID.randomUUID())).isNotNull();
    }

    @Test
    void turnsThatPrepareFastGrowTheLimitWhileItIsUsed() throws Exception {
        // a remote model keeps turns open for seconds while this instance is idle: more of them must be let in
        ChatAdmission admission = admission(4, 0, Duration.ofMinutes(1));
        List<ChatAdmission.Admitted> held = new ArrayList<>();
        for (int i = 0; i < 4 * PROCESSORS; i++) {
            held.add(preparedAfter(admission, Duration.ZERO));
        }
        assertThat(admission.limit()).isGreaterThan(4 * PROCESSORS);

        for (int i = 4 * PROCESSORS; i < 64 * PROCESSORS; i++) {
            held.add(preparedAfter(admission, Duration.ZERO));
        }
        assertThat(admission.limit()).as("capped at 64 per processor").isEqualTo(64 * PROCESSORS);
        held.forEach(ChatAdmission.Admitted::close);
        assertThat(admission.inFlight()).isZero();
    }

    @Test
    void aFixedTotalStaysWhateverTheTurnsTake() throws Exception {
        ChatAdmission admission = admission(4, 3, Duration.ofMillis(10));
        List<ChatAdmission.Admitted> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(preparedAfter(admission, Duration.ofMillis(30)));
        }

        assertThat(admission.limit()).isEqualTo(3);
        assertThatThrownBy(() -> admission.admit(UUID.randomUUID())).isInstanceOf(RateLimitedException.class);
        held.forEach(ChatAdmission.Admitted::close);
    }
}
