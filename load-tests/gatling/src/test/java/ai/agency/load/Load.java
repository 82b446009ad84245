package ai.agency.load;

import static io.gatling.javaapi.core.CoreDsl.*;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Open-model injection shared by the simulations: a steady rate, or stair-steps reported level by level. */
final class Load {

    private Load() {}

    /**
     * {@code -Dsteps=a,b,c} given: one population per level (arrival rate a, then b, … new users per second, each
     * {@code stepSeconds} long, run one after the other), each level's requests named {@code "<request> @<rate>/s"}.
     * Otherwise {@code -Drate} users per second for {@code -Dduration} seconds.
     */
    static PopulationBuilder open(String name, ChainBuilder chain, double defaultRate, int defaultSeconds) {
        List<Double> steps = LoadConfig.steps();
        if (steps.isEmpty()) {
            return Scenarios.labelled(name, "", chain)
                    .injectOpen(constantUsersPerSec(LoadConfig.rate(defaultRate))
                            .during(LoadConfig.duration(defaultSeconds)));
        }
        Duration level = LoadConfig.stepDuration();
        List<PopulationBuilder> levels = new ArrayList<>();
        for (double rate : steps) {
            levels.add(Scenarios.labelled(name, " @" + LoadConfig.label(rate), chain)
                    .injectOpen(constantUsersPerSec(rate).during(level)));
        }
        return sequence(levels);
    }

    /** The populations one after the other (each starts when every user of the one before has finished). */
    static PopulationBuilder sequence(List<PopulationBuilder> populations) {
        PopulationBuilder chained = populations.get(populations.size() - 1);
        for (int i = populations.size() - 2; i >= 0; i--) {
            chained = populations.get(i).andThen(chained);
        }
        return chained;
    }
}
