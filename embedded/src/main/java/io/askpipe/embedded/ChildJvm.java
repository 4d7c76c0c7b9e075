package io.askpipe.embedded;

import java.util.ArrayList;
import java.util.List;

/** Command lines for Java programs run as child processes of this JVM. */
public final class ChildJvm {
    private ChildJvm() {}

    /**
     * {@code mainClass} with {@code args}, run by this JVM's own {@code java} on this JVM's class
     * path, with {@code jvmOptions} before the class path.
     */
    public static List<String> command(List<String> jvmOptions, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return command;
    }
}
