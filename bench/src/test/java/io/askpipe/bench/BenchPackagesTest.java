package io.askpipe.bench;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks' machinery does not reach back into the benchmarks that use it, the load
 * generator's does not reach into the batch benchmark's or the cost model's, ingest's work without
 * HTTP, which both the load generator and the cost model use, reaches into neither, and the CPU
 * profile, which reads a recording, uses none of the machinery that makes one.
 */
class BenchPackagesTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.askpipe.bench");

    @Test
    void theLoadPackageDependsOnNoBenchmark() {
        noClasses()
                .that()
                .resideInAPackage("io.askpipe.bench.load..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.askpipe.bench", "io.askpipe.bench.batch..", "io.askpipe.bench.cost..")
                .check(CLASSES);
    }

    @Test
    void theCostPackageDependsOnNoBenchmark() {
        noClasses()
                .that()
                .resideInAPackage("io.askpipe.bench.cost..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.askpipe.bench")
                .check(CLASSES);
    }

    @Test
    void theAcceptPackageDependsOnNoOtherBenchPackage() {
        noClasses()
                .that()
                .resideInAPackage("io.askpipe.bench.accept..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.askpipe.bench",
                        "io.askpipe.bench.load..",
                        "io.askpipe.bench.cost..",
                        "io.askpipe.bench.batch..",
                        "io.askpipe.bench.profile..")
                .check(CLASSES);
    }

    @Test
    void theBatchPackageDependsOnNoBenchmark() {
        noClasses()
                .that()
                .resideInAPackage("io.askpipe.bench.batch..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.askpipe.bench")
                .check(CLASSES);
    }

    @Test
    void theProfilePackageDependsOnNoOtherBenchPackage() {
        noClasses()
                .that()
                .resideInAPackage("io.askpipe.bench.profile..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.askpipe.bench", "io.askpipe.bench.load..", "io.askpipe.bench.batch..")
                .check(CLASSES);
    }
}
