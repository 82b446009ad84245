package ai.agency.chaos;

import java.util.ArrayList;
import java.util.List;

/** The figures and checks of one scenario run; {@link #finish} prints PASS or FAIL with the failed checks. */
final class Verdict {

    private final String scenario;
    private final List<String> failed = new ArrayList<>();
    private final long started = System.nanoTime();

    Verdict(String scenario) {
        this.scenario = scenario;
    }

    void step(String what) {
        System.out.printf("[%6.1f s] %s%n", seconds(), what);
    }

    void figure(String name, Object value) {
        System.out.printf("           %-44s %s%n", name, value);
    }

    /** Records a check; a false one makes the scenario FAIL. Returns {@code ok}. */
    boolean check(boolean ok, String what) {
        System.out.printf("           %s %s%n", ok ? "ok  " : "FAIL", what);
        if (!ok) {
            failed.add(what);
        }
        return ok;
    }

    double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    boolean passed() {
        return failed.isEmpty();
    }

    int finish() {
        System.out.println();
        if (failed.isEmpty()) {
            System.out.printf("PASS %s (%.0f s)%n", scenario, seconds());
            return 0;
        }
        System.out.printf("FAIL %s (%.0f s): %d check(s) failed%n", scenario, seconds(), failed.size());
        failed.forEach(f -> System.out.println("  - " + f));
        return 1;
    }
}
