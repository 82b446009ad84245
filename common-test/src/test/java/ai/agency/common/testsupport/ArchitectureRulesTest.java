package ai.agency.common.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

class ArchitectureRulesTest {

    private static boolean violated(String base) {
        JavaClasses classes = new ClassFileImporter().importPackages("ai.agency." + base);
        return ArchitectureRules.rules(base).stream()
                .map(rule -> rule.evaluate(classes))
                .anyMatch(EvaluationResult::hasViolation);
    }

    @Test
    void twoFeaturePackagesThatNeedEachOtherBreakTheRules() {
        // tool-service had registry <-> execution <-> mcp, auth-service account <-> mfa, the gateway session <-> ws
        assertThat(violated("cyclic")).isTrue();
    }

    @Test
    void packagesThatDependOneWayKeepThem() {
        assertThat(violated("acyclic")).isFalse();
    }
}
