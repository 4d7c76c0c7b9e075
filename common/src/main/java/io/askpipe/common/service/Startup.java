package io.askpipe.common.service;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Profile;
import io.askpipe.common.config.Setting;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a service's components in their order, each as a named step within {@code
 * STARTUP_STEP_TIMEOUT} (default 60 s): a line with its duration when it is up, or a {@link
 * StartupException} that names the step, what went wrong and how to fix it. The process then exits
 * non-zero ({@link ServiceRunner#exitOnFailure}).
 */
public final class Startup {
    private static final Logger LOG = LoggerFactory.getLogger(Startup.class);

    public static final Setting<Duration> STEP_TIMEOUT = Setting.duration(
                    "STARTUP_STEP_TIMEOUT", Duration.ofSeconds(1), Duration.ofHours(1))
            .defaultsTo("60s")
            .doc("time limit of each start-up step");
    public static final Setting<Boolean> VENDOR_PINGS = Setting.flag("STARTUP_VENDOR_PINGS")
            .derivedDefault("on; off in the `ci` profile", env -> Profile.detect(env) != Profile.CI)
            .doc("router worker: at start, ask each configured LLM vendor whether it answers, and log what it said");

    private static final Duration DEFAULT_STEP_TIMEOUT = STEP_TIMEOUT.defaultValue();

    /** What to check when a database step fails. */
    public static final String DATABASE_FIX =
            "Check that PostgreSQL runs at DATABASE_URL and lets DATABASE_USER in with DATABASE_PASSWORD";

    /** What to check when a Kafka step fails. */
    public static final String KAFKA_FIX =
            "Check that a Kafka broker answers at KAFKA_BOOTSTRAP_SERVERS from this host";

    private final String service;
    private final Duration stepTimeout;
    private final boolean vendorPings;

    public Startup(String service, Duration stepTimeout, boolean vendorPings) {
        this.service = service;
        this.stepTimeout = stepTimeout;
        this.vendorPings = vendorPings;
    }

    /**
     * {@code service}'s start-up with {@code STARTUP_STEP_TIMEOUT} and {@code STARTUP_VENDOR_PINGS}
     * (default on, off in the {@code ci} profile) from {@code env}.
     */
    public static Startup fromEnv(String service, Env env) {
        return new Startup(service, env.get(STEP_TIMEOUT), env.get(VENDOR_PINGS));
    }

    /** The settings {@link #fromEnv} reads, the profile's among them. */
    public static List<Setting<?>> settings() {
        return Setting.union(List.of(STEP_TIMEOUT, VENDOR_PINGS), Profile.settings());
    }

    /** {@code service}'s start-up with the default step timeout and no vendor pings, for tests and tools. */
    public static Startup defaults(String service) {
        return new Startup(service, DEFAULT_STEP_TIMEOUT, false);
    }

    /** Whether to ping the LLM vendors at start-up ({@code STARTUP_VENDOR_PINGS}). */
    public boolean vendorPings() {
        return vendorPings;
    }

    /** Runs {@code work} as step {@code name}; {@code fix} tells an operator what to check if it fails. */
    public <T> T step(String name, String fix, Callable<T> work) {
        return begin(name, fix, work).await();
    }

    /** {@link #step(String, String, Callable)} of work without a result. */
    public void step(String name, String fix, Runnable work) {
        step(name, fix, () -> {
            work.run();
            return null;
        });
    }

    /**
     * Starts step {@code name} beside the caller, for steps that do not wait for each other: most
     * of a step's time is loading classes and waiting for a database or a broker, so steps that
     * need different ones are done sooner side by side. {@link Pending#await} reports it as {@link
     * #step(String, String, Callable)} does; its time limit counts from here.
     */
    public <T> Pending<T> begin(String name, String fix, Callable<T> work) {
        return new Pending<>(name, fix, work);
    }

    /** A step started by {@link #begin}. */
    public final class Pending<T> {
        private final String name;
        private final String fix;
        private final long started = System.nanoTime();
        private final FutureTask<T> task;
        private final Thread thread;

        private Pending(String name, String fix, Callable<T> work) {
            this.name = name;
            this.fix = fix;
            this.task = new FutureTask<>(work);
            this.thread = Thread.ofPlatform()
                    .name("startup-" + service + "-" + name.replace(' ', '-'))
                    .daemon()
                    .start(task);
        }

        /** The step's result once it is up, or a {@link StartupException} that names it. */
        public T await() {
            long left = stepTimeout.toNanos() - (System.nanoTime() - started);
            try {
                T result = task.get(Math.max(0, left), TimeUnit.NANOSECONDS);
                LOG.info(
                        "{} start-up: {} up in {} ms",
                        service,
                        name,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                return result;
            } catch (TimeoutException e) {
                thread.interrupt();
                throw new StartupException(
                        service,
                        name,
                        "did not finish within " + readable(stepTimeout) + " (STARTUP_STEP_TIMEOUT)",
                        fix,
                        null);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof ConfigException config) {
                    throw config;
                }
                throw new StartupException(service, name, "failed: " + describe(cause), fix, cause);
            } catch (InterruptedException e) {
                thread.interrupt();
                Thread.currentThread().interrupt();
                throw new StartupException(service, name, "was interrupted", fix, e);
            }
        }

        /**
         * For a start-up that failed elsewhere: stops the step, or waits for it, and closes what it
         * made. Its own failure is not reported: the one that stopped the start-up is.
         */
        public void discard(Consumer<? super T> close) {
            thread.interrupt();
            try {
                T made = task.get(stepTimeout.toMillis(), TimeUnit.MILLISECONDS);
                if (made != null) {
                    close.accept(made);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                LOG.debug("{} start-up: {} discarded: {}", service, name, describe(e));
            }
        }
    }

    private static String readable(Duration duration) {
        return duration.toMillis() % 1_000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    /** The error's message, and its innermost cause's, which usually says what was refused or unreachable. */
    private static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == error
                ? String.valueOf(error.getMessage())
                : error.getMessage() + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
}
