package ai.agency.load;

import static io.gatling.javaapi.core.CoreDsl.*;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Soak: {@code soakMinutes} (30) of mixed load at about half the saturation rate — chat sessions
 * over the WebSocket (memory and tools), memory adds and searches, workflow runs with an approval, and idle
 * WebSockets that only ping. Run it together with {@code load-tests/soak/memory_slopes.py} (or
 * {@code load-tests/soak/run.sh}, which starts both and keeps a JFR recording of the service that grew most).
 *
 * <p>Rates: {@code -DsaturationRate} chat turns/s (default 24, measured by {@link ChatSimulation}'s stair-steps);
 * chat at half of it; memory {@code -DmemoryUsersPerSec} (1 user/s = 10 requests/s); workflows
 * {@code -DworkflowRunsPerSec} (0.5); {@code -DidleSockets} (50) connections held for the whole run. Error rate and
 * the p99 of minutes 5–10 against the last 5 are judged from Gatling's per-level table: the run is cut in periods
 * labelled {@code @0-5min}, {@code @5-10min}, …, {@code @25-30min}.
 */
public class SoakSimulation extends Simulation {

    static final double SATURATION = Double.parseDouble(System.getProperty("saturationRate", "24"));
    static final int MINUTES = Integer.getInteger("soakMinutes", 30);
    static final double MEMORY_USERS = Double.parseDouble(System.getProperty("memoryUsersPerSec", "1"));
    static final double WORKFLOWS = Double.parseDouble(System.getProperty("workflowRunsPerSec", "0.5"));
    static final int IDLE = Integer.getInteger("idleSockets", 50);
    static final int PERIOD_MINUTES = 5;

    {
        var users = Scenarios.usersFeeder(LoadUsers.signIn(LoadConfig.users()));
        double sessionsPerSec = SATURATION / 2 / 4; // 4 turns per session
        System.out.printf(
                "Soak: %d min; chat %.2f turns/s, memory %.1f requests/s, workflows %.2f runs/s, %d idle sockets%n",
                MINUTES, SATURATION / 2, 10 * MEMORY_USERS, WORKFLOWS, IDLE);
        var populations = new java.util.ArrayList<io.gatling.javaapi.core.PopulationBuilder>();
        populations.add(Scenarios.labelled("idle", "", Scenarios.idleSocket(users, MINUTES * 60))
                .injectOpen(rampUsers(IDLE).during(Duration.ofSeconds(30))));
        // each load is cut in periods of its own, run one after the other, so that every period reports apart
        for (String name : java.util.List.of("chat", "memory", "workflow")) {
            var periods = new java.util.ArrayList<io.gatling.javaapi.core.PopulationBuilder>();
            for (int start = 0; start < MINUTES; start += PERIOD_MINUTES) {
                String label = " @" + start + "-" + (start + PERIOD_MINUTES) + "min";
                Duration length = Duration.ofMinutes(Math.min(PERIOD_MINUTES, MINUTES - start));
                periods.add(
                        switch (name) {
                            case "chat" ->
                                Scenarios.labelled(name, label, Scenarios.chatSession(users))
                                        .injectOpen(constantUsersPerSec(sessionsPerSec)
                                                .during(length));
                            case "memory" ->
                                Scenarios.labelled(name, label, Scenarios.memoryHeavy(users))
                                        .injectOpen(constantUsersPerSec(MEMORY_USERS)
                                                .during(length));
                            default ->
                                Scenarios.labelled(name, label, Scenarios.workflowRun(users))
                                        .injectOpen(
                                                constantUsersPerSec(WORKFLOWS).during(length));
                        });
            }
            populations.add(Load.sequence(periods));
        }
        setUp(populations).protocols(Scenarios.protocol());
    }

    @Override
    public void after() {
        Failures.print();
        Levels.print("soak", "turns/s");
    }
}
