package ai.agency.load;

import io.gatling.javaapi.core.Simulation;

/**
 * Memory-heavy use: five adds and five searches per user. Default 2 users/s (20 requests/s) for 60 s; rates are
 * users per second.
 */
public class MemorySimulation extends Simulation {
    {
        var users = Scenarios.usersFeeder(LoadUsers.signIn(LoadConfig.users()));
        setUp(Load.open("memory", Scenarios.memoryHeavy(users), 2, 60)).protocols(Scenarios.protocol());
    }

    @Override
    public void after() {
        Failures.print();
        Levels.print("memory", "req/s");
    }
}
