package io.askpipe.common.fault;

/**
 * Where a service asks whether a fault strikes, at each place one may: the only face of fault
 * injection that services see. Production wires {@link #NONE}; drills and the dev stack wire a
 * seeded injector when {@code CHAOS_MODE} is on. Implementations are thread-safe.
 */
public interface FaultInjector {
    /** Injects nothing: every question is answered no, and nothing is delayed or crashed. */
    FaultInjector NONE = new FaultInjector() {
        @Override
        public boolean strikes(Fault fault, String place) {
            return false;
        }

        @Override
        public boolean strikesAgain(Fault fault, String key) {
            return false;
        }

        @Override
        public void delay(Fault fault) {}

        @Override
        public void crash() {}

        @Override
        public String toString() {
            return "FaultInjector.NONE";
        }
    };

    /**
     * Whether {@code fault} strikes at {@code place}, for work that happens once or whose attempt
     * number is part of the place (e.g. {@code <Idempotency-Key>:<attempt>}).
     */
    boolean strikes(Fault fault, String place);

    /**
     * Whether {@code fault} strikes the work named {@code key} this time, for work that is retried
     * until it passes: each strike moves on to the key's next place, so how often a key is struck
     * in a row does not depend on how the work around it was retried or batched.
     */
    boolean strikesAgain(Fault fault, String key);

    /** Waits as long as a struck {@code fault} delays the work; interruptible, as slow work is. */
    void delay(Fault fault) throws InterruptedException;

    /**
     * Crashes, as a struck {@link Fault#WORKER_CRASH} does in this deployment: halts the process,
     * or in-process halts the service (from another thread) and returns, after which the caller
     * abandons what it was doing.
     */
    void crash();
}
