package io.askpipe.common.service;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.http.HttpServers;
import io.askpipe.common.http.HttpSettings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a started service as its own process: serves its routes (and {@code /healthz}) on the client
 * HTTP server and {@code /metrics}, {@code /readyz} and its operator routes on the operations server
 * and, on SIGTERM, stops both servers, then the service, then Vert.x.
 */
public final class ServiceRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceRunner.class);

    private ServiceRunner() {}

    /**
     * Runs a process's {@code main}: a bad setting ends it with exit code 2, a component that
     * cannot start with exit code 1, each with one line that says what and how to fix it.
     */
    public static void exitOnFailure(String name, Runnable main) {
        try {
            main.run();
        } catch (ConfigException e) {
            LOG.error("{} configuration: {}", name, e.getMessage());
            System.exit(2);
        } catch (StartupException e) {
            LOG.error(e.getMessage());
            LOG.debug("{} start-up failure in full", name, e);
            System.exit(1);
        }
    }

    /**
     * Serves {@code service}'s client routes, mounted by {@code mount}, on {@code http} and its
     * operator routes, mounted by {@code mountOperations}, on {@code ops}, and returns once both
     * servers listen; the process then runs until it is told to stop.
     */
    public static void serve(
            String name,
            HttpSettings http,
            OpsSettings ops,
            PrometheusMeterRegistry registry,
            Readiness readiness,
            Startup startup,
            AutoCloseable service,
            Consumer<Router> mount,
            Consumer<Router> mountOperations) {
        Vertx vertx = Vertx.vertx();
        Router router = HttpServers.baseRouter(vertx);
        mount.accept(router);
        Router opsRouter = OpsRouter.create(vertx, registry, readiness);
        mountOperations.accept(opsRouter);
        HttpServer server;
        HttpServer opsServer;
        try {
            server = startup.step(
                    "http",
                    "Check that HTTP_HOST is an address of this host and HTTP_PORT is free",
                    () -> HttpServers.start(vertx, router, http, registry));
            opsServer = startup.step(
                    "ops",
                    "Check that OPS_HOST is an address of this host and OPS_PORT is free and not HTTP_PORT",
                    () -> HttpServers.start(vertx, opsRouter, ops.http(), registry));
        } catch (StartupException e) {
            try {
                service.close();
            } catch (Exception closing) {
                e.addSuppressed(closing);
            }
            vertx.close().await();
            throw e;
        }
        LOG.info(
                "{} listening on {}:{}, operations on {}:{}",
                name,
                http.host(),
                server.actualPort(),
                ops.host(),
                opsServer.actualPort());
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close().await();
                            try {
                                service.close();
                            } catch (Exception e) {
                                LOG.warn("{} did not stop cleanly: {}", name, e.toString());
                            }
                            opsServer.close().await();
                            vertx.close().await();
                            LOG.info("{} stopped", name);
                        },
                        name + "-shutdown"));
    }
}
