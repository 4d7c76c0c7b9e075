package io.askpipe.devstack;

import io.askpipe.auth.Accounts;
import io.askpipe.auth.ApiKey;
import io.askpipe.auth.AuthService;
import io.askpipe.auth.AuthSettings;
import io.askpipe.auth.IssuedKey;
import io.askpipe.auth.User;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.callback.Network;
import io.askpipe.common.chaos.Chaos;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Profile;
import io.askpipe.common.config.Setting;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.common.http.HttpServers;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.service.Metrics;
import io.askpipe.common.service.OpsRouter;
import io.askpipe.common.service.OpsSettings;
import io.askpipe.common.service.Readiness;
import io.askpipe.common.service.Startup;
import io.askpipe.ingest.IngestConfig;
import io.askpipe.ingest.IngestService;
import io.askpipe.router.RouterConfig;
import io.askpipe.router.RouterService;
import io.askpipe.store.StoreConfig;
import io.askpipe.store.StoreService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three services in one process against a given broker and database, behind one HTTP server
 * for clients and one operations server ({@code /metrics}, {@code /readyz}, {@code /observability}).
 * Each service reads its own settings from the same environment, exactly as it would as a separate
 * process; the stack only supplies the Kafka and PostgreSQL addresses. Closing stops everything in
 * the reverse order of starting.
 */
public final class DevStack implements AutoCloseable {
    /** The user whose key the development stack prints at start. */
    public static final String DEV_USER = "dev";

    private static final Logger LOG = LoggerFactory.getLogger(DevStack.class);

    /** Clients on the developer's machine only. */
    static final Setting<String> HTTP_HOST = HttpSettings.HOST.defaultsTo("127.0.0.1");
    /** The one client port of all three services. */
    static final Setting<Integer> HTTP_PORT = HttpSettings.PORT.defaultsTo("8080");
    /** The one operations server of all three services, on a free port. */
    static final Setting<Integer> OPS_PORT = OpsSettings.PORT.defaultsTo("0");

    static final Setting<Profile> PROFILE = Profile.SETTING.defaultsTo("dev");
    /** In the dev profile, webhooks may call a receiver on the developer's machine. */
    static final Setting<List<Network>> CALLBACK_NETWORKS =
            CallbackPolicy.ALLOWED_NETWORKS.defaultsTo("127.0.0.0/8,::1/128");

    private final Deque<AutoCloseable> started;
    private final HttpServer server;
    private final HttpSettings http;
    private final HttpServer opsServer;
    private final OpsSettings ops;
    private final Accounts accounts;

    private DevStack(
            Deque<AutoCloseable> started,
            HttpServer server,
            HttpSettings http,
            HttpServer opsServer,
            OpsSettings ops,
            Accounts accounts) {
        this.started = started;
        this.server = server;
        this.http = http;
        this.opsServer = opsServer;
        this.ops = ops;
        this.accounts = accounts;
    }

    /**
     * Starts the services against {@code bootstrapServers} and {@code jdbcUrl}; every other setting
     * comes from {@code env}. Defaults differ from a lone service's: HTTP_HOST is 127.0.0.1,
     * OPS_PORT is a free port (the three services share the one operations server), ASKPIPE_PROFILE is dev, and in the dev profile webhooks may call back to loopback (a receiver
     * on the developer's machine) unless WEBHOOK_ALLOWED_NETWORKS says otherwise.
     */
    public static DevStack start(
            Map<String, String> env, String bootstrapServers, String jdbcUrl, String dbUser, String dbPassword) {
        Map<String, String> vars = new HashMap<>(env);
        vars.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), bootstrapServers);
        vars.put(DatabaseSettings.URL.name(), jdbcUrl);
        vars.put(DatabaseSettings.USER.name(), dbUser);
        vars.put(DatabaseSettings.PASSWORD.name(), dbPassword);
        // the services read these from the environment they share, so the stack's defaults go there
        putDefault(vars, HTTP_HOST);
        putDefault(vars, PROFILE);
        if ("dev".equals(vars.get(PROFILE.name()))) {
            putDefault(vars, CALLBACK_NETWORKS);
        }
        Env settings = Env.of(vars);

        Deque<AutoCloseable> started = new ArrayDeque<>();
        try {
            PrometheusMeterRegistry registry = Metrics.prometheus("askpipe");
            // chaos mode (CHAOS_MODE) strikes all three services; a crash restarts the router in place
            AtomicReference<SupervisedRouter> supervised = new AtomicReference<>();
            FaultInjector faults = Chaos.injector(
                    Chaos.Settings.fromEnv(settings),
                    registry,
                    () -> supervised.get().crashed());
            AuthService auth = push(
                    started, AuthService.start(DatabaseSettings.fromEnv(settings), AuthSettings.fromEnv(settings)));
            StoreService store = push(
                    started,
                    StoreService.start(
                            StoreConfig.fromEnv(settings),
                            registry,
                            Startup.fromEnv("result-store", settings),
                            faults));
            SupervisedRouter routerService = push(
                    started,
                    new SupervisedRouter(
                            RouterConfig.fromEnv(settings),
                            registry,
                            Startup.fromEnv("router-worker", settings),
                            faults));
            supervised.set(routerService);
            IngestService ingest = push(
                    started,
                    IngestService.start(
                            IngestConfig.fromEnv(settings), registry, Startup.fromEnv("ingest-api", settings), faults));

            Vertx vertx = Vertx.vertx();
            started.push(() -> vertx.close().await());
            Readiness readiness = new Readiness()
                    .include("ingest", ingest.readiness())
                    .include("router", routerService.readiness())
                    .include("store", store.readiness());
            Router router = HttpServers.baseRouter(vertx);
            ingest.mount(router);
            store.mount(router);
            HttpSettings http = HttpSettings.fromEnv(settings, HTTP_PORT);
            HttpServer server = HttpServers.start(vertx, router, http, registry);
            started.push(() -> server.close().await());
            Router opsRouter = OpsRouter.create(vertx, registry, readiness);
            store.mountOperations(opsRouter);
            OpsSettings ops = OpsSettings.fromEnv(settings, OPS_PORT);
            HttpServer opsServer = HttpServers.start(vertx, opsRouter, ops.http());
            started.push(() -> opsServer.close().await());
            return new DevStack(started, server, http, opsServer, ops, auth.accounts());
        } catch (RuntimeException e) {
            closeAll(started);
            throw e;
        }
    }

    /**
     * Every setting the stack reads for its services and itself, each once: its own defaults of
     * {@code HTTP_HOST}, {@code HTTP_PORT}, {@code OPS_PORT}, {@code ASKPIPE_PROFILE} and {@code
     * WEBHOOK_ALLOWED_NETWORKS} first.
     */
    public static List<Setting<?>> settings() {
        return Setting.union(
                List.of(HTTP_HOST, HTTP_PORT, OPS_PORT, PROFILE, CALLBACK_NETWORKS),
                Chaos.Settings.settings(),
                DatabaseSettings.settings(),
                AuthSettings.settings(),
                StoreConfig.settings(),
                RouterConfig.settings(),
                IngestConfig.settings(),
                Startup.settings());
    }

    private static void putDefault(Map<String, String> vars, Setting<?> setting) {
        vars.putIfAbsent(setting.name(), setting.writtenDefault().orElseThrow());
    }

    /**
     * The router worker, restarted in place when chaos mode crashes it ({@code CHAOS_WORKER_CRASH}),
     * as a supervisor restarts a crashed process: the crashed service is halted (nothing committed,
     * running asks abandoned) and a fresh one started with the same settings. Readiness follows
     * whichever service is current.
     */
    private static final class SupervisedRouter implements AutoCloseable {
        private final RouterConfig config;
        private final PrometheusMeterRegistry registry;
        private final Startup startup;
        private final FaultInjector faults;
        private final ExecutorService restarts = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("router-supervisor").daemon().factory());
        private volatile RouterService current;
        private boolean closed;

        SupervisedRouter(RouterConfig config, PrometheusMeterRegistry registry, Startup startup, FaultInjector faults) {
            this.config = config;
            this.registry = registry;
            this.startup = startup;
            this.faults = faults;
            this.current = RouterService.start(config, registry, startup, faults);
        }

        /** Called on the thread of the ask that crashed the current service; the restart runs elsewhere. */
        void crashed() {
            RouterService service = current;
            try {
                restarts.execute(() -> restart(service));
            } catch (RejectedExecutionException e) {
                // the stack is stopping: nothing to restart
            }
        }

        private synchronized void restart(RouterService crashed) {
            if (closed || crashed != current) {
                return;
            }
            crashed.halt();
            LOG.warn("router worker crashed (chaos mode); starting a fresh one");
            try {
                current = RouterService.start(config, registry, startup, faults);
            } catch (RuntimeException e) {
                // the stack stays up without a router, and says so at /readyz
                LOG.error("could not restart the crashed router worker; restart the stack", e);
            }
        }

        Readiness readiness() {
            return new Readiness().add("database", () -> up("database")).add("consumer", () -> up("consumer"));
        }

        private boolean up(String component) {
            return Boolean.TRUE.equals(current.readiness().check().get(component));
        }

        @Override
        public void close() {
            restarts.shutdown();
            synchronized (this) {
                closed = true;
                current.close();
            }
        }
    }

    private static <T extends AutoCloseable> T push(Deque<AutoCloseable> started, T service) {
        started.push(service);
        return service;
    }

    /** The users and API keys the stack's services authenticate against. */
    public Accounts accounts() {
        return accounts;
    }

    /**
     * Issues a fresh key for user {@code dev} (created if need be) and revokes the keys it was
     * given before, so that exactly one development key is live: the one just printed.
     */
    public IssuedKey issueDevKey() {
        User dev = accounts.findUserByName(DEV_USER).orElseGet(() -> accounts.createUser(DEV_USER));
        accounts.keysOf(dev.id()).stream()
                .filter(key -> !key.revoked())
                .map(ApiKey::familyId)
                .distinct()
                .forEach(accounts::revokeFamily);
        return accounts.issueKey(dev.id());
    }

    /** The base URL clients use for both writes and reads. */
    public String clientUrl() {
        return url(http.host(), server.actualPort());
    }

    /** The base URL of {@code /metrics}, {@code /readyz} and {@code /observability}. */
    public String opsUrl() {
        return url(ops.host(), opsServer.actualPort());
    }

    private static String url(String host, int port) {
        String reachable = host.equals("0.0.0.0") ? "127.0.0.1" : host;
        return "http://" + reachable + ":" + port;
    }

    @Override
    public void close() {
        closeAll(started);
    }

    private static void closeAll(Deque<AutoCloseable> started) {
        while (!started.isEmpty()) {
            AutoCloseable next = started.pop();
            try {
                next.close();
            } catch (Exception e) {
                LOG.warn("error while stopping {}: {}", next, e.toString());
            }
        }
    }
}
