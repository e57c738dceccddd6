package org.civitas.web.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import jakarta.faces.context.ExternalContext;
import org.civitas.federation.common.Caller;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The web layer says who is calling and shows what the services answer; the services decide
 * what a caller may do (docs/ARCHITECTURE.md).
 */
class WebArchitectureTest {

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.civitas.web");

    @Test
    void theFacesBeansKeepNoAuthorization() {
        noClasses().that().resideInAPackage("org.civitas.web.portal..")
                .should().callMethod(ExternalContext.class, "isUserInRole", String.class)
                .orShould().callMethod(Caller.class, "has", org.civitas.domain.security.Role.class)
                .orShould().callMethod(Caller.class, "require", String.class, org.civitas.domain.security.Role[].class)
                .because("a page asks its service what the caller may do (mayRequest, mayDecide, mayList, ...)")
                .check(classes);
    }
}
