package io.askpipe.drill;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Setting;
import io.askpipe.common.log.LogSettings;
import io.askpipe.drill.report.DrillReport;
import io.askpipe.drill.report.ReportText;
import io.askpipe.embedded.Directories;
import io.askpipe.schemas.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code askpipe drill}: runs a drill ({@link DrillOptions#USAGE}) and exits with its verdict. */
public final class DrillMain {
    static final int PASSED = 0;
    static final int INVARIANT_FAILED = 1;
    static final int BAD_OPTIONS = 2;
    static final int DID_NOT_START = 3;

    private DrillMain() {}

    /** Every setting the drill's own process reads, each once (the services it starts read theirs). */
    public static List<Setting<?>> settings() {
        return Setting.union(LogSettings.settings(), DrillOptions.settings());
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(System.out, args));
    }

    static int run(PrintStream out, String... args) throws Exception {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.print(DrillOptions.USAGE);
            return PASSED;
        }
        DrillOptions options;
        try {
            options = DrillOptions.parse(args);
        } catch (ConfigException e) {
            System.err.println("askpipe drill: " + e.getMessage());
            System.err.print(DrillOptions.USAGE);
            return BAD_OPTIONS;
        }
        Path dir = directory(options);
        DrillReport report;
        try {
            report = new Drill(options, dir, out).run();
        } catch (IllegalStateException e) {
            out.println("drill: the deployment did not start: " + e.getMessage());
            return DID_NOT_START;
        }
        Path json = dir.resolve("report.json");
        Files.writeString(json, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        out.print(ReportText.render(report));
        if (options.dir() == null && report.passed()) {
            // a passed drill in a temporary directory keeps only its report; --dir keeps everything
            for (String part : new String[] {"kafka", "postgres", "logs", "batch"}) {
                Directories.deleteRecursively(dir.resolve(part));
            }
            out.println("report: " + json);
        } else {
            out.println("report: " + json + "   logs: " + dir.resolve("logs"));
        }
        return report.passed() ? PASSED : INVARIANT_FAILED;
    }

    /** Where the drill's data, logs and report go: {@code --dir}, or a new temporary directory. */
    private static Path directory(DrillOptions options) throws IOException {
        return options.dir() != null
                ? Files.createDirectories(options.dir())
                : Files.createTempDirectory("askpipe-drill-");
    }
}
