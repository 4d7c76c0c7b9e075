package io.askpipe.drill;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The drill's stage packages depend only downwards: the front ({@code io.askpipe.drill}) on all of
 * them, {@code check} on {@code deploy}, {@code load} and {@code report}, and those three on no
 * other package of the drill.
 */
class DrillPackagesTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.askpipe.drill");

    @Test
    void deployLoadAndReportDependOnNoOtherPackageOfTheDrill() {
        for (String stage : new String[] {"deploy", "load", "report"}) {
            String own = "io.askpipe.drill." + stage + "..";
            noClasses()
                    .that()
                    .resideInAPackage(own)
                    .should()
                    .dependOnClassesThat(DescribedPredicate.describe(
                            "are in another package of the drill",
                            javaClass -> javaClass.getPackageName().startsWith("io.askpipe.drill")
                                    && !javaClass.getPackageName().startsWith("io.askpipe.drill." + stage)))
                    .check(CLASSES);
        }
    }

    @Test
    void checkDoesNotReachBackIntoTheFront() {
        noClasses()
                .that()
                .resideInAPackage("io.askpipe.drill.check..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.askpipe.drill")
                .check(CLASSES);
    }
}
