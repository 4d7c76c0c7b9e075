package io.askpipe.router.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.fault.Fault;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.schemas.AskRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CrashPointTest {
    /** Strikes the worker crash at the places it is given, and counts the crashes. */
    private static final class Injector implements FaultInjector {
        final Set<String> struck;
        final List<String> asked = new ArrayList<>();
        final AtomicInteger crashes = new AtomicInteger();

        Injector(String... struck) {
            this.struck = Set.of(struck);
        }

        @Override
        public boolean strikes(Fault fault, String place) {
            asked.add(fault + " " + place);
            return fault == Fault.WORKER_CRASH && struck.contains(place);
        }

        @Override
        public boolean strikesAgain(Fault fault, String key) {
            return false;
        }

        @Override
        public void delay(Fault fault) {}

        @Override
        public void crash() {
            crashes.incrementAndGet();
        }
    }

    private static AskRequest ask(String idempotencyKey) {
        return new AskRequest("id-" + idempotencyKey, "u1", idempotencyKey, "hi", null, null, Instant.now());
    }

    @Test
    void anAskThatIsNotStruckGoesOn() throws Exception {
        Injector faults = new Injector();

        new CrashPoint(faults).strike(ask("k1"));

        assertThat(faults.asked).containsExactly("WORKER_CRASH k1");
        assertThat(faults.crashes).hasValue(0);
    }

    @Test
    void aStruckAskCrashesTheWorkerOnceAndEveryStruckAskStops() {
        Injector faults = new Injector("k1", "k2");
        CrashPoint crash = new CrashPoint(faults);

        assertThatThrownBy(() -> crash.strike(ask("k1"))).isInstanceOf(InterruptedException.class);
        assertThatThrownBy(() -> crash.strike(ask("k2"))).isInstanceOf(InterruptedException.class);

        assertThat(faults.crashes).as("the worker crashes once").hasValue(1);
    }

    @Test
    void withoutAnInjectorNothingStrikes() throws Exception {
        new CrashPoint(FaultInjector.NONE).strike(ask("k1"));
    }
}
