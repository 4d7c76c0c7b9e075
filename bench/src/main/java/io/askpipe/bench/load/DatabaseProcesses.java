package io.askpipe.bench.load;

import io.askpipe.embedded.ProcessMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The processes of one PostgreSQL server, its postmaster and whichever of its descendants (the
 * backends, the checkpointer, ...) are alive when asked, and the CPU time and memory they use.
 */
public final class DatabaseProcesses {
    private final Optional<ProcessHandle> postmaster;

    private DatabaseProcesses(Optional<ProcessHandle> postmaster) {
        this.postmaster = postmaster;
    }

    /**
     * The server whose postmaster has {@code dataDir} on its command line, other than process
     * {@code exceptPid}: the postmaster leaves its starter's process tree (pg_ctl daemonizes it), so
     * it is known by its data directory. None, if no such process runs.
     */
    public static DatabaseProcesses byCommandLine(Path dataDir, long exceptPid) {
        String data = dataDir.toString();
        return new DatabaseProcesses(ProcessHandle.allProcesses()
                .filter(p -> p.pid() != exceptPid)
                .filter(p -> p.info().commandLine().orElse("").contains(data))
                .findFirst());
    }

    /** The server running on {@code dataDir}, by the postmaster's pid in its {@code postmaster.pid}. */
    public static DatabaseProcesses byPidFile(Path dataDir) {
        try {
            String pid = Files.readAllLines(dataDir.resolve("postmaster.pid"))
                    .getFirst()
                    .strip();
            return new DatabaseProcesses(ProcessHandle.of(Long.parseLong(pid)));
        } catch (IOException e) {
            throw new UncheckedIOException("no postmaster.pid in " + dataDir, e);
        }
    }

    /** The server's postmaster, if one was found. */
    public Optional<ProcessHandle> postmaster() {
        return postmaster;
    }

    /** The CPU time the processes alive now have used so far (a backend that ended takes its own along). */
    public Duration cpu() {
        return alive().map(p -> p.info().totalCpuDuration().orElse(Duration.ZERO))
                .reduce(Duration.ZERO, Duration::plus);
    }

    /**
     * Their memory in bytes, as proportional set sizes: the shared buffers, resident in every one of
     * them, count once.
     */
    public long memory() {
        return alive().mapToLong(p -> ProcessMemory.pss(p.pid())).sum();
    }

    /** The postmaster and its descendants alive now. */
    private Stream<ProcessHandle> alive() {
        return postmaster.stream()
                .flatMap(postmaster -> Stream.concat(Stream.of(postmaster), postmaster.descendants()));
    }
}
