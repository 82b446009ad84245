package ai.agency.load;

import static io.gatling.javaapi.core.CoreDsl.*;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.List;

/**
 * Spike and stress, one after the other, ending PASS or FAIL by Gatling assertions:
 *
 * <ol>
 *   <li>{@code @spike}: 0 → {@code spikeUsers} (200) chats within 1 s — each connects, asks "what is 17*23" (the
 *       answer must contain 391) and closes;
 *   <li>{@code @stress}: twice the saturation rate ({@code -DsaturationRate}, chat turns per second, measured by
 *       {@code ChatSimulation}'s stair-step) for {@code stressSeconds} (60) — full chat sessions of 4 turns;
 *   <li>{@code @recovery}: normal load (half the saturation rate) for {@code recoverySeconds} (30);
 *   <li>{@code @after}: the readiness of every service on its own port.
 * </ol>
 *
 * Holds when, for every request name of every phase, the p99 of admitted requests is under 2 s and under 1 % of
 * them failed (shed requests — 429, {@code rate_limit} frames — are reported apart as {@code "… (shed)"}), and every
 * service is ready afterwards.
 */
public class SpikeSimulation extends Simulation {

    static final double SATURATION = Double.parseDouble(System.getProperty("saturationRate", "4"));
    static final int SPIKE_USERS = Integer.getInteger("spikeUsers", 200);
    static final int STRESS_SECONDS = Integer.getInteger("stressSeconds", 60);
    static final int RECOVERY_SECONDS = Integer.getInteger("recoverySeconds", 30);
    static final int TURNS_PER_SESSION = 4;
    static final int WARMUP_SECONDS = Integer.getInteger("warmupSeconds", 20);

    {
        // 200 chats over 60 users: at most 4 connections each (the gateway admits 10 per user)
        var users = Scenarios.usersFeeder(LoadUsers.signIn(LoadConfig.users()));
        System.out.printf(
                "Spike: %d chats in 1 s; stress %.2f turns/s (%.3f sessions/s) for %d s; recovery %.2f turns/s for %d s%n",
                SPIKE_USERS,
                2 * SATURATION,
                2 * SATURATION / TURNS_PER_SESSION,
                STRESS_SECONDS,
                SATURATION / 2,
                RECOVERY_SECONDS);
        setUp(Load.sequence(List.of(
                        // the load generator's own JIT warm-up (2 chats/s), then 10 s of nothing: the spike starts at 0
                        Scenarios.labelled("warmup", " @warmup", Scenarios.calculatorChat(users))
                                .injectOpen(constantUsersPerSec(WARMUP_SECONDS > 0 ? 2 : 0)
                                        .during(Duration.ofSeconds(Math.max(1, WARMUP_SECONDS)))),
                        Scenarios.labelled("spike", " @spike", Scenarios.calculatorChat(users))
                                .injectOpen(
                                        nothingFor(Duration.ofSeconds(WARMUP_SECONDS > 0 ? 10 : 0)),
                                        rampUsers(SPIKE_USERS).during(Duration.ofSeconds(1))),
                        Scenarios.labelled("stress", " @stress", Scenarios.chatSession(users))
                                .injectOpen(constantUsersPerSec(2 * SATURATION / TURNS_PER_SESSION)
                                        .during(Duration.ofSeconds(STRESS_SECONDS))),
                        Scenarios.labelled("recovery", " @recovery", Scenarios.chatSession(users))
                                .injectOpen(constantUsersPerSec(SATURATION / 2 / TURNS_PER_SESSION)
                                        .during(Duration.ofSeconds(RECOVERY_SECONDS))),
                        Scenarios.labelled("after", " @after", Scenarios.readiness())
                                .injectOpen(atOnceUsers(1)))))
                .protocols(Scenarios.protocol())
                .assertions(
                        forAll().responseTime().percentile(99.0).lt((int) Levels.P99_LIMIT_MS),
                        forAll().failedRequests().percent().lt(100 * Levels.ERROR_LIMIT));
    }

    @Override
    public void after() {
        Failures.print();
        Levels.print("spike", "turns/s");
    }
}
