package io.askpipe.devstack;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Services never import each other; they share only schemas and common. */
class ModuleBoundariesTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.askpipe");

    @Test
    void ingestDependsOnNoOtherService() {
        noClasses()
                .that()
                .resideInAPackage("io.askpipe.ingest..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.askpipe.router..", "io.askpipe.store..", "io.askpipe.devstack..")
                .check(CLASSES);
    }

    @Test
    void routerDependsOnNoOtherService() {
        noClasses()
                .that()
                .resideInAPackage("io.askpipe.router..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.askpipe.ingest..", "io.askpipe.store..", "io.askpipe.devstack..")
                .check(CLASSES);
    }

    @Test
    void storeDependsOnNoOtherService() {
        noClasses()
                .that()
                .resideInAPackage("io.askpipe.store..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.askpipe.ingest..", "io.askpipe.router..", "io.askpipe.devstack..")
                .check(CLASSES);
    }

    @Test
    void sharedModulesDependOnNoService() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "io.askpipe.schemas..", "io.askpipe.common..", "io.askpipe.auth..", "io.askpipe.embedded..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.askpipe.ingest..", "io.askpipe.router..", "io.askpipe.store..", "io.askpipe.devstack..")
                .check(CLASSES);
    }
}
