package io.askpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.FreePorts;
import io.askpipe.embedded.SharedInfrastructure;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The ingest API as its own process, started wrong on purpose: it says what failed and exits. */
class StartupIT {

    @Test
    void anUnreachableDatabaseStopsTheProcessWithExitCode1AndSaysWhatToCheck() throws Exception {
        Result result = run(Map.of(
                "DATABASE_URL",
                "jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/nowhere",
                "KAFKA_BOOTSTRAP_SERVERS",
                SharedInfrastructure.kafka().bootstrapServers()));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output())
                .contains("ingest-api could not start: database failed")
                .contains("Check that PostgreSQL runs at DATABASE_URL")
                .doesNotContain("\tat "); // one line, no stack trace
    }

    @Test
    void aStepThatHangsIsCutOffByTheStepTimeout() throws Exception {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        Result result = run(Map.of(
                "DATABASE_URL",
                pg.createDatabase(SharedInfrastructure.uniqueName("startup")),
                "DATABASE_PASSWORD",
                pg.password(),
                // nothing listens there: the Admin client keeps trying to connect
                "KAFKA_BOOTSTRAP_SERVERS",
                "127.0.0.1:" + FreePorts.next(),
                // long enough for the database step (a fresh database's migrations) on a loaded machine
                "STARTUP_STEP_TIMEOUT",
                "8s"));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output())
                .contains("ingest-api start-up: database up in")
                .contains("ingest-api could not start: kafka topics did not finish within 8 s (STARTUP_STEP_TIMEOUT)")
                .contains("Check that a Kafka broker answers at KAFKA_BOOTSTRAP_SERVERS");
    }

    @Test
    void aBadSettingStopsTheProcessWithExitCode2() throws Exception {
        Result result = run(Map.of("LOG_FORMAT", "xml"));

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("LOG_FORMAT must be json or text, got 'xml'");
    }

    private record Result(int exitCode, String output) {}

    private static Result run(Map<String, String> settings) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-cp",
                        System.getProperty("java.class.path"),
                        IngestMain.class.getName())
                .redirectErrorStream(true);
        Map<String, String> env = new HashMap<>(settings);
        env.putIfAbsent("LOG_FORMAT", "text");
        env.put("HTTP_PORT", "0");
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(90, TimeUnit.SECONDS))
                .as("the process exits")
                .isTrue();
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
