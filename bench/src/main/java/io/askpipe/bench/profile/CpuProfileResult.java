package io.askpipe.bench.profile;

import java.nio.file.Path;

/**
 * What a recording says of the JVM's CPU: its samples counted by part and library, and the JVM's
 * CPU with what of it the samples do not see.
 *
 * @param recording the recording read
 * @param samples its execution samples, counted
 * @param cpu the JVM's CPU over it
 */
public record CpuProfileResult(Path recording, SampleCounts samples, JvmCpu cpu) {}
