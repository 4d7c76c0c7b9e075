package io.askpipe.bench.profile;

import java.util.Optional;

/**
 * Which part of the pipeline a CPU sample is charged to: by its thread's name where that tells
 * ({@link ThreadNames}), else by its stack ({@link StackOwners}).
 *
 * <ul>
 *   <li>A named thread goes to its part; a broker request handler serving the controller goes to
 *       KRaft.
 *   <li>A virtual thread, or a carrier of virtual threads, goes to the askpipe service whose frame
 *       is nearest the top of its stack; without an askpipe frame, a carrier is the scheduler's
 *       and a virtual thread goes to the first known library on its stack.
 *   <li>Any other thread goes to the askpipe service on its stack, else to the broker if it runs the
 *       broker's code; else a thread of a pool that runs anyone's work (the common pool, {@code
 *       vert.x-virtual-thread-*}, unnamed threads) goes to the first known library on its stack,
 *       and any other to the threads no rule names.
 * </ul>
 */
final class Attribution {
    private Attribution() {}

    /** The part the sample is charged to. */
    static Part of(Sample sample) {
        Optional<Part> named = ThreadNames.partOf(sample.thread());
        if (named.isPresent()) {
            Part part = named.get();
            return part.equals(Part.BROKER_REQUESTS) && StackOwners.controller(sample.frames())
                    ? Part.BROKER_KRAFT
                    : part;
        }
        var owner = StackOwners.askpipe(sample.frames());
        if (sample.virtual()) {
            return owner.map(Part::virtualThreads).orElseGet(() -> Part.unowned(Library.firstKnown(sample.frames())));
        }
        if (ThreadNames.carrier(sample.thread())) {
            // a carrier sampled as itself runs a mounted virtual thread's code, or the scheduler's
            return owner.map(Part::virtualThreads).orElse(Part.JVM_SCHEDULER);
        }
        if (owner.isPresent()) {
            return Part.otherThreads(owner.get());
        }
        if (StackOwners.broker(sample.frames())) {
            return Part.BROKER_OTHER;
        }
        if (ThreadNames.pooled(sample.thread())) {
            return Part.unowned(Library.firstKnown(sample.frames()));
        }
        return Part.OTHER_THREADS;
    }
}
