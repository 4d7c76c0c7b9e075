package io.askpipe.bench.profile;

import java.util.List;

/**
 * One CPU sample as the attribution reads it.
 *
 * @param thread the sampled thread's name, empty for an unnamed (usually virtual) thread
 * @param virtual whether the sampled thread is a virtual thread
 * @param frames the classes of the stack's frames, top first; empty if the sample has no stack
 */
record Sample(String thread, boolean virtual, List<String> frames) {
    Sample {
        frames = List.copyOf(frames);
    }
}
