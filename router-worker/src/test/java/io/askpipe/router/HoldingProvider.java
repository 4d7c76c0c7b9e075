package io.askpipe.router;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fake provider on 127.0.0.1 that takes each call, counts it and holds it unanswered, watching
 * its connection: it tells when the caller closed the connection ({@link #awaitClosed}). Raw
 * sockets, so that a closed connection is seen as it happens.
 */
final class HoldingProvider implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService connections = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger calls = new AtomicInteger();
    private final CountDownLatch called = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicLong closedAtNanos = new AtomicLong();

    HoldingProvider() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        connections.execute(this::accept);
    }

    /** {@code http://127.0.0.1:PORT}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** The calls taken so far. */
    int calls() {
        return calls.get();
    }

    /** Waits for the first call; returns whether it came within {@code patience}. */
    boolean awaitCall(Duration patience) throws InterruptedException {
        return called.await(patience.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits until a caller closed a held connection; returns when ({@link System#nanoTime()}), if it did. */
    java.util.OptionalLong awaitClosed(Duration patience) throws InterruptedException {
        return closed.await(patience.toMillis(), TimeUnit.MILLISECONDS)
                ? java.util.OptionalLong.of(closedAtNanos.get())
                : java.util.OptionalLong.empty();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.execute(() -> hold(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void hold(Socket socket) {
        try (socket;
                InputStream in = socket.getInputStream()) {
            int length = readHeaders(in);
            in.readNBytes(length);
            calls.incrementAndGet();
            called.countDown();
            // hold: the caller's end of the connection ends this read
            while (in.read() >= 0) {
                // a caller sends nothing more; whatever comes is ignored
            }
            closedAtNanos.compareAndSet(0, System.nanoTime());
            closed.countDown();
        } catch (IOException e) {
            closedAtNanos.compareAndSet(0, System.nanoTime());
            closed.countDown();
        }
    }

    /** Reads the request line and headers; returns the body's Content-Length. */
    private static int readHeaders(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int length = 0;
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String header = line.toString().strip();
                if (header.isEmpty()) {
                    return length;
                }
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(
                            lower.substring("content-length:".length()).strip());
                }
                line.setLength(0);
            } else {
                line.append((char) c);
            }
        }
        throw new IOException("the connection ended within the request's headers: "
                + new String(line.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
        server.close();
        connections.shutdownNow();
    }
}
