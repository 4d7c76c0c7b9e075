package io.askpipe.drill.deploy;

import io.askpipe.embedded.ProcessMemory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the proportional set size of every running service process at a fixed interval on a
 * thread of its own and keeps each service's peak, by the service's name (a restarted process
 * keeps its name). Its peaks may be read from any thread while it runs.
 */
public final class MemorySampler implements AutoCloseable {
    private final List<ServiceProcess> services;
    private final Map<String, Long> peaks = new ConcurrentHashMap<>();
    private final Thread thread;

    private MemorySampler(List<ServiceProcess> services, Duration every) {
        this.services = List.copyOf(services);
        this.thread = Thread.ofPlatform().daemon().name("drill-memory-sampler").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                sample();
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Starts reading the memory of {@code services} every {@code every}, the first time at once. */
    public static MemorySampler start(List<ServiceProcess> services, Duration every) {
        return new MemorySampler(services, every);
    }

    private void sample() {
        for (ServiceProcess service : services) {
            OptionalLong pid = service.pid();
            if (pid.isPresent()) {
                long pss = ProcessMemory.pss(pid.getAsLong());
                peaks.merge(service.name(), pss, Math::max);
            }
        }
    }

    /**
     * Each service's highest proportional set size so far in bytes, in the order of the services;
     * 0 for one never read (it was never running when a reading was taken).
     */
    public Map<String, Long> peakPssBytes() {
        Map<String, Long> byName = new LinkedHashMap<>();
        for (ServiceProcess service : services) {
            byName.put(service.name(), peaks.getOrDefault(service.name(), 0L));
        }
        return byName;
    }

    /** Stops reading; the peaks stay. */
    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
