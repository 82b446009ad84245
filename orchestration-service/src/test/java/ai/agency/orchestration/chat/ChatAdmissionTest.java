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

    private ChatAdmission admission(int perUser, int total) {
        return new ChatAdmission(
                new ChatProperties(
                        true, Duration.ofSeconds(30), true, 2000, 4, 100, perUser, total, Duration.ofMillis(50)),
                new SimpleMeterRegistry());
    }

    @Test
    void aUserPastTheirTurnsIsShedWith429WhileAnotherUserIsAdmitted() {
        // issue 18's stress run: every turn was admitted, and at 2x the saturation rate p99 reached 13-32 s with no 429
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
    void theDefaultIsFourTurnsPerProcessor() {
        ChatProperties defaults =
                new ChatProperties(true, Duration.ofSeconds(30), true, 2000, 4, 100, 4, 0, Duration.ofSeconds(1));

        assertThat(defaults.maxConcurrentTurns())
                .isEqualTo(4 * Runtime.getRuntime().availableProcessors());
    }
}
