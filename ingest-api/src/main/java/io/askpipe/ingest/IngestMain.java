package io.askpipe.ingest;

import io.askpipe.common.Env;
import io.askpipe.common.HttpServers;
import io.askpipe.common.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the ingest API as its own process. Wiring only. */
public final class IngestMain {
    private static final Logger LOG = LoggerFactory.getLogger(IngestMain.class);

    private IngestMain() {}

    public static void main(String[] args) throws InterruptedException {
        IngestConfig config = IngestConfig.fromEnv(Env.system());
        PrometheusMeterRegistry registry = Metrics.prometheus("ingest-api");
        IngestService service = IngestService.start(config);
        Vertx vertx = Vertx.vertx();
        Router router = HttpServers.baseRouter(vertx, registry);
        service.mount(router);
        HttpServer server = HttpServers.start(vertx, router, config.http());
        LOG.info("ingest-api listening on {}:{}", config.http().host(), server.actualPort());

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close().await();
                            service.close();
                            vertx.close().await();
                            stopped.countDown();
                        },
                        "ingest-shutdown"));
        stopped.await();
    }
}
