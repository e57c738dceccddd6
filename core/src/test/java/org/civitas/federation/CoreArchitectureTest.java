package org.civitas.federation;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The pure core (aggregation, model maths, tensors, data) must not depend on Jakarta or the server layers. */
class CoreArchitectureTest {

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.civitas.federation");

    @Test
    void coreImportsNoJakartaTypes() {
        noClasses().that().resideInAPackage("org.civitas.federation.core..")
                .should().dependOnClassesThat().resideInAnyPackage("jakarta..", "javax.ejb..", "javax.persistence..")
                .check(classes);
    }

    @Test
    void coreDependsOnNoOuterLayer() {
        noClasses().that().resideInAPackage("org.civitas.federation.core..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.civitas.federation.coordinator..", "org.civitas.federation.site..", "org.civitas.federation.protocol..",
                        "org.civitas.federation.common..", "org.civitas.federation.demo..", "org.civitas.federation.infrastructure..",
                        "org.civitas.domain..", "org.civitas.infrastructure..")
                .check(classes);
    }
}
