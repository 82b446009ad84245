package ai.agency.load;

import io.gatling.javaapi.core.Simulation;

/**
 * Chat sessions over the WebSocket with memory and tools (4 turns each, see {@link Scenarios#chatSession}), from
 * {@code -Dusers} signed-in users. Default 0.5 sessions/s (2 turns/s) for 60 s; rates are sessions per second.
 */
public class ChatSimulation extends Simulation {
    {
        var users = Scenarios.usersFeeder(LoadUsers.signIn(LoadConfig.users()));
        setUp(Load.open("chat", Scenarios.chatSession(users), 0.5, 60)).protocols(Scenarios.protocol());
    }

    @Override
    public void after() {
        Failures.print();
        Levels.print("chat", "turns/s");
    }
}
