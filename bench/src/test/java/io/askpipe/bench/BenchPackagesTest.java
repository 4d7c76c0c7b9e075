package io.askpipe.bench;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The load generator's machinery does not reach back into the benchmarks that use it. */
class BenchPackagesTest {
    @Test
    void theLoadPackageDependsOnNoBenchmark() {
        noClasses()
                .that()
                .resideInAPackage("io.askpipe.bench.load..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.askpipe.bench")
                .check(new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("io.askpipe.bench"));
    }
}
