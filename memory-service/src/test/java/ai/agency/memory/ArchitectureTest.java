package ai.agency.memory;

import ai.agency.common.testsupport.ArchitectureRules;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    @Test
    void layeringRulesHold() {
        ArchitectureRules.check("memory");
    }
}
