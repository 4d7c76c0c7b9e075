package io.askpipe.cli;

import java.io.PrintStream;

/**
 * Shows a batch's {@code request_counts} while it runs: a bar redrawn in place on a terminal, or a
 * line each time the counts change when the output is a file or a pipe.
 */
final class Progress {
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean terminal;
    private String last = "";

    Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Shows {@code status} with {@code completed} and {@code failed} of {@code total} lines. */
    void show(String status, long completed, long failed, long total) {
        String line = render(status, completed, failed, total);
        if (line.equals(last)) {
            return;
        }
        last = line;
        if (terminal) {
            out.print("\r" + line + "\033[K");
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Ends the bar's line on a terminal. */
    void done() {
        if (terminal && !last.isEmpty()) {
            out.println();
        }
    }

    static String render(String status, long completed, long failed, long total) {
        long finished = completed + failed;
        int filled = total <= 0 ? 0 : (int) Math.min(WIDTH, finished * WIDTH / total);
        int percent = total <= 0 ? 0 : (int) Math.min(100, finished * 100 / total);
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
                + String.format("%3d%%", percent) + "  " + finished + "/" + total
                + " (" + completed + " completed, " + failed + " failed)  " + status;
    }
}
