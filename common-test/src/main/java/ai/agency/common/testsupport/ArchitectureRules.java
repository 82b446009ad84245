package ai.agency.common.testsupport;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.stereotype.Repository;
import org.springframework.web.bind.annotation.RestController;

/**
 * The layering rules every service keeps (see docs/development.md): controllers never reach repositories directly;
 * no service depends on another service's code (they talk over HTTP); no grab-bag packages; feature packages depend
 * on each other one way only (no cycles). Each service's
 * {@code ArchitectureTest} calls {@link #check(String)} with its base package.
 */
public final class ArchitectureRules {

    static final List<String> SERVICES = List.of("auth", "memory", "tool", "orchestration", "multimodal", "gateway");

    private ArchitectureRules() {}

    /** Checks the rules on the production classes under {@code ai.agency.<service>}. */
    public static void check(String service) {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("ai.agency." + service);
        rules(service).forEach(rule -> rule.check(classes));
    }

    static List<ArchRule> rules(String service) {
        String[] otherServices = SERVICES.stream()
                .filter(s -> !s.equals(service))
                .map(s -> "ai.agency." + s + "..")
                .toArray(String[]::new);
        return Stream.of(
                        noClasses()
                                .that()
                                .areAnnotatedWith(RestController.class)
                                .should()
                                .dependOnClassesThat()
                                .areAnnotatedWith(Repository.class)
                                .because("controllers go through a service, never straight to SQL")
                                .allowEmptyShould(true),
                        noClasses()
                                .should()
                                .dependOnClassesThat()
                                .resideInAnyPackage(otherServices)
                                .because("services talk to each other over HTTP only"),
                        noClasses()
                                .should()
                                .resideInAnyPackage("..utils..", "..util..", "..helpers..", "..managers..", "..impl..")
                                .because("code is packaged by feature"),
                        slices().matching("ai.agency." + service + ".(*)..")
                                .should()
                                .beFreeOfCycles()
                                .because("feature packages depend one way: two features that need each other are one,"
                                        + " or one of them owns what the other needs"))
                .toList();
    }
}
