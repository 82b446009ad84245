package ai.agency.cyclic.beta;

import ai.agency.cyclic.alpha.Alpha;

/** A fixture of ArchitectureRulesTest: ...and beta needs alpha. */
public class Beta {
    public Alpha alpha() {
        return new Alpha();
    }
}
