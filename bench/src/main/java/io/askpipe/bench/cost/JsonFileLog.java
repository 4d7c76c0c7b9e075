package io.askpipe.bench.cost;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * The services' logging apart from this JVM's own: a logback context configured by the project's
 * {@code logback.xml} as a service runs it ({@code LOG_FORMAT=json}, per-ask lines on), whose JSON
 * appender's encoder writes to a file instead of standard output. Its MDC is the process's, so
 * {@code io.askpipe.common.log.LogContext} fills it as in the services.
 */
final class JsonFileLog implements AutoCloseable {
    private static final String APPENDER = "json";

    private final LoggerContext context;
    private final Path file;

    private JsonFileLog(LoggerContext context, Path file) {
        this.context = context;
        this.file = file;
    }

    /** A context of the project's configuration that writes JSON lines to {@code file}. */
    static JsonFileLog to(Path file) {
        URL config = JsonFileLog.class.getResource("/logback.xml");
        if (config == null) {
            throw new IllegalStateException("the project's logback.xml is not on the class path");
        }
        LoggerContext context = new LoggerContext();
        context.setName("cost-model-services");
        context.setMDCAdapter(((LoggerContext) LoggerFactory.getILoggerFactory()).getMDCAdapter());
        // the configuration's variables, whatever this process's environment says
        context.putProperty("LOG_FORMAT", APPENDER);
        context.putProperty("LOG_ASKS", "INFO");
        context.putProperty("LOG_LEVEL", "INFO");
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(config);
        } catch (JoranException e) {
            throw new IllegalStateException("the project's logback.xml did not configure", e);
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (!(root.getAppender(APPENDER) instanceof OutputStreamAppender<ILoggingEvent> console)) {
            throw new IllegalStateException("logback.xml has no '" + APPENDER + "' appender on the root logger");
        }
        root.detachAppender(console);
        FileAppender<ILoggingEvent> toFile = new FileAppender<>();
        toFile.setContext(context);
        toFile.setName(APPENDER + "-file");
        toFile.setFile(file.toString());
        toFile.setAppend(false);
        toFile.setEncoder(console.getEncoder());
        toFile.start();
        root.addAppender(toFile);
        return new JsonFileLog(context, file);
    }

    /** The logger {@code name} of this context. */
    org.slf4j.Logger logger(String name) {
        return context.getLogger(name);
    }

    /** The lines written so far. */
    long lines() {
        try (var lines = Files.lines(file)) {
            return lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file's size in bytes. */
    long bytes() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        context.stop();
    }
}
