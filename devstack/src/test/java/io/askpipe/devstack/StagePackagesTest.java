package io.askpipe.devstack;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.askpipe.store.sink.AskPart;
import io.askpipe.store.sink.AskWriter;
import io.askpipe.store.sink.FinishedAsk;
import io.askpipe.store.sink.GroupWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Inside each module the packages are the stages of the flow (docs/architecture.md, "Packages"):
 * they depend on each other one way only, never on their service's wiring, and the read API of the
 * store never reaches into the writer. Seeded chaos is built only by wiring; the router never
 * authenticates anyone.
 */
class StagePackagesTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.askpipe");

    @ParameterizedTest
    @ValueSource(strings = {"ingest", "router", "store", "common"}) // drill and bench have tests of their own
    void theStagePackagesOfAModuleHaveNoCycles(String module) {
        slices().matching("io.askpipe." + module + ".(*)..")
                .should()
                .beFreeOfCycles()
                .check(CLASSES);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ingest", "router", "store"})
    void noStageDependsOnItsServicesWiring(String service) {
        noClasses()
                .that()
                .resideInAPackage("io.askpipe." + service + ".*..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.askpipe." + service)
                .check(CLASSES);
    }

    @Test
    void theStoresReadApiDoesNotReachIntoTheWriter() {
        noClasses()
                .that()
                .resideInAPackage("io.askpipe.store.api..")
                .should()
                .dependOnClassesThat()
                .belongToAnyOf(AskWriter.class, GroupWriter.class, AskPart.class, FinishedAsk.class)
                .check(CLASSES);
    }

    @Test
    void theRoutersConsumerLoopKnowsNothingOfWhatAnAskBecomes() {
        noClasses()
                .that()
                .resideInAPackage("io.askpipe.router.consume..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.askpipe.router.process..",
                        "io.askpipe.router.route..",
                        "io.askpipe.router.backend..",
                        "io.askpipe.router.resilience..")
                .check(CLASSES);
    }

    @Test
    void backendsKnowOnlyTheirSpiAndTheSharedHttp() {
        noClasses()
                .that()
                .resideInAPackage("io.askpipe.router.backend..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.askpipe.router.consume..",
                        "io.askpipe.router.process..",
                        "io.askpipe.router.route..",
                        "io.askpipe.router.resilience..")
                .check(CLASSES);
    }

    @Test
    void onlyWiringBuildsSeededChaos() {
        DescribedPredicate<JavaClass> wiring = DescribedPredicate.describe(
                "wiring (a service's main, the dev stack, the drill, or chaos itself)",
                javaClass -> javaClass.getSimpleName().endsWith("Main")
                        || javaClass.getPackageName().startsWith("io.askpipe.common.chaos")
                        || javaClass.getPackageName().startsWith("io.askpipe.devstack")
                        || javaClass.getPackageName().startsWith("io.askpipe.drill"));
        noClasses()
                .that(DescribedPredicate.not(wiring))
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.askpipe.common.chaos..")
                .check(CLASSES);
    }

    @Test
    void theRouterNeverAuthenticatesAnyone() {
        noClasses()
                .that()
                .resideInAPackage("io.askpipe.router..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.askpipe.auth..")
                .check(CLASSES);
    }
}
