package org.civitas.federation.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rooms of the federation module and the directions between them (docs/ARCHITECTURE.md):
 * {@code coordinator} and {@code site} never reach into each other and share only {@code
 * protocol}, {@code common} and {@code infrastructure}; nothing depends on {@code demo}; no
 * package cycles.
 */
class ArchitectureTest {

    private static final String ROOT = "org.civitas.federation";

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    /** Each room of the module, and everything below it, is one slice. */
    static final ArchRule ROOMS_ARE_FREE_OF_CYCLES = slices().matching(ROOT + ".(*)..").should().beFreeOfCycles();

    @Test
    void theRoomsFormNoCycle() {
        ROOMS_ARE_FREE_OF_CYCLES.check(classes);
    }

    @Test
    void theCycleRuleCatchesACycle() {
        JavaClasses fixture = new ClassFileImporter().importPackages(ROOT + ".architecture.fixture");
        EvaluationResult result = slices().matching(ROOT + ".architecture.fixture.(*)..").should().beFreeOfCycles().evaluate(fixture);
        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString()).contains("left").contains("right");
    }

    @Test
    void theCoordinatorNeverReachesIntoASite() {
        noClasses().that().resideInAPackage(ROOT + ".coordinator..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".site..", ROOT + ".demo..")
                .check(classes);
    }

    @Test
    void aSiteNeverReachesIntoTheCoordinator() {
        noClasses().that().resideInAPackage(ROOT + ".site..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".coordinator..", ROOT + ".demo..")
                .check(classes);
    }

    @Test
    void theSharedRoomsDependOnNeitherSide() {
        noClasses().that().resideInAnyPackage(ROOT + ".protocol..", ROOT + ".common..", ROOT + ".infrastructure..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".coordinator..", ROOT + ".site..", ROOT + ".demo..")
                .check(classes);
    }

    @Test
    void theProtocolIsRecordsOnly() {
        noClasses().that().resideInAPackage(ROOT + ".protocol..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".common..", ROOT + ".infrastructure..", "jakarta..",
                        "org.civitas.domain..", "org.civitas.infrastructure..")
                .check(classes);
    }

    /**
     * The coordinator serves any consortium's tasks: it knows the demo's sites, its city-safety labels
     * and data, and its shipped model only as what the demo registers through the services.
     */
    @Test
    void theCoordinatorNamesNothingOfTheDemo() {
        noClasses().that().resideInAPackage(ROOT + ".coordinator..")
                .should().dependOnClassesThat().haveFullyQualifiedName(ROOT + ".common.ReferenceConsortium")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("org.civitas.federation.core.dataset.Taxonomy")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("org.civitas.federation.core.dataset.CitySafetyGenerator")
                .orShould().callMethod(org.civitas.federation.core.model.manifest.ModelManifest.class, "citySafetyDefault")
                .check(classes);
    }

    @Test
    void nothingDependsOnTheDemo() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".demo..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".demo..")
                .check(classes);
    }

    /** Services read the time from the injected {@link java.time.Clock}, so tests can fix it. */
    @Test
    void theTimeComesFromTheInjectedClock() {
        noClasses().should().callMethod(java.time.Instant.class, "now")
                .orShould().callMethod(java.time.Clock.class, "systemUTC")
                .orShould().callMethod(java.time.Clock.class, "systemDefaultZone")
                .because("the application's one clock is org.civitas.infrastructure.time.ClockProducer")
                .check(classes);
    }
}
