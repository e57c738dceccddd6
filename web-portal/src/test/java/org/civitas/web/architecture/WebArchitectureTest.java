package org.civitas.web.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import jakarta.faces.context.ExternalContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Named;
import org.civitas.federation.common.Caller;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
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

    @Test
    void eachPageAreaHasAViewScopedBeanInThePackageOfItsFolder() {
        // The login form keeps nothing between requests; every other area keeps its form and what it read for its view.
        classes().that().resideInAPackage("org.civitas.web.portal..").and().areAnnotatedWith(Named.class)
                .and().resideOutsideOfPackage("org.civitas.web.portal.login")
                .should().beAnnotatedWith(ViewScoped.class).andShould().implement(java.io.Serializable.class)
                .andShould().resideInAnyPackage("org.civitas.web.portal.*")
                .because("a page in webapp/<area>/ keeps its state in view-scoped beans of web.portal.<area>")
                .check(classes);
    }
}
