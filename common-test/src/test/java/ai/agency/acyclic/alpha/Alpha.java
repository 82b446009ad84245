package ai.agency.acyclic.alpha;

import ai.agency.acyclic.beta.Beta;

/** A fixture of ArchitectureRulesTest: alpha needs beta, beta needs nothing. */
public class Alpha {
    public Beta beta() {
        return new Beta();
    }
}
