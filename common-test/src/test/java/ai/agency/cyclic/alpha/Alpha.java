package ai.agency.cyclic.alpha;

import ai.agency.cyclic.beta.Beta;

/** A fixture of ArchitectureRulesTest: alpha needs beta... */
public class Alpha {
    public Beta beta() {
        return new Beta();
    }
}
