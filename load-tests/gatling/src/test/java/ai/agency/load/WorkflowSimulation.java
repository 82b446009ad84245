package ai.agency.load;

import io.gatling.javaapi.core.Simulation;

/**
 * Workflow runs with an approval step (create, start, wait for the approval, approve, wait for success). Default 1
 * run/s for 60 s; rates are runs per second.
 */
public class WorkflowSimulation extends Simulation {
    {
        var users = Scenarios.usersFeeder(LoadUsers.signIn(LoadConfig.users()));
        setUp(Load.open("workflow", Scenarios.workflowRun(users), 1, 60)).protocols(Scenarios.protocol());
    }

    @Override
    public void after() {
        Failures.print();
        Levels.print("workflow", "runs/s");
    }
}
