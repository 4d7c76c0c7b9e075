package io.askpipe.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuAffinityTest {
    @Test
    void readsTheAllowedCpusOfAProcStatus() {
        String status = """
                Name:\tjava
                Cpus_allowed:\t2
                Cpus_allowed_list:\t1
                Mems_allowed_list:\t0
                """;

        assertThat(CpuAffinity.allowedIn(status)).contains("1");
        assertThat(CpuAffinity.allowedIn("Name:\tjava\n")).isEmpty();
    }

    @Test
    void findsTasksetOnThePathAndPrefixesACommandWithIt(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path taskset = Files.createFile(
                bin.resolve("taskset"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));

        assertThat(CpuAffinity.taskset(dir + ":" + bin)).contains(taskset);
        assertThat(CpuAffinity.taskset(dir.toString())).isEmpty();
        assertThat(CpuAffinity.taskset(null)).isEmpty();
        assertThat(CpuAffinity.pinned(taskset, 1, List.of("java", "Main")))
                .containsExactly(taskset.toString(), "-c", "1", "java", "Main");
    }

    @Test
    void aProcessGoneHasNoAllowedCpus() {
        assertThat(CpuAffinity.allowed(Long.MAX_VALUE)).isEmpty();
    }
}
