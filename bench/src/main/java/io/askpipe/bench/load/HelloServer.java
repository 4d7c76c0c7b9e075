package io.askpipe.bench.load;

import io.askpipe.common.http.HttpServers;
import io.askpipe.common.http.HttpSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The baseline of the ingest API's throughput: the same HTTP server library, set up by the same
 * code ({@link HttpServers#start}), answering {@code POST /hello} with a 202 and a small JSON body
 * after reading the request's body, and doing nothing else. Run as its own process by the load
 * generator's ingest peak phase ({@link LoadPhases#ingestPeak}), on the port given as the only
 * argument; the cost model starts it inside its own JVM ({@link #start}).
 */
public final class HelloServer {
    private HelloServer() {}

    public static void main(String[] args) {
        start(Vertx.vertx(), Integer.parseInt(args[0]));
        System.out.println("hello server listening on " + args[0]);
    }

    /** Starts the server on {@code vertx}, listening on 127.0.0.1:{@code port} once this returns. */
    public static HttpServer start(Vertx vertx, int port) {
        Router router = Router.router(vertx);
        router.route(HttpMethod.POST, "/hello").handler(BodyHandler.create().setBodyLimit(64 * 1024));
        router.route(HttpMethod.POST, "/hello")
                .handler(ctx -> ctx.response()
                        .setStatusCode(202)
                        .putHeader("Content-Type", "application/json")
                        .end("{\"request_id\":\"01a219eb-0000-7000-8000-000000000000\",\"status\":\"queued\"}"));
        return HttpServers.start(vertx, router, new HttpSettings("127.0.0.1", port));
    }
}
