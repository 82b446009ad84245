package ai.agency.load;

import io.gatling.javaapi.core.Simulation;

/**
 * Onboarding: register, log in, read the profile (three requests per new user). Default 1 user/s for 60 s.
 *
 * <p>Sign-up and login each cost one BCrypt hash (~0.3 s of CPU at cost 12); auth-service runs at most one per core
 * and sheds the rest after a 1 s wait (429), so this scenario's saturation is set by the number of cores.
 */
public class OnboardingSimulation extends Simulation {
    {
        setUp(Load.open("onboarding", Scenarios.onboarding(), 1, 60)).protocols(Scenarios.protocol());
    }

    @Override
    public void after() {
        Failures.print();
        Levels.print("onboarding", "users/s");
    }
}
