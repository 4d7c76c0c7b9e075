package io.askpipe.bench.batch;

import io.askpipe.drill.deploy.ServiceProcess;
import io.askpipe.embedded.ProcessMemory;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Reads every service's memory at a fixed interval on a thread of its own: its JVM's heap in use
 * from its {@code /metrics} and its proportional set size from {@code /proc}; and the machine's
 * 1-minute load average beside them. Keeps every reading.
 */
final class ServiceSampler implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();

    private final List<ServiceProcess> services;
    private final Timeline timeline;
    private final List<MemorySample> samples = new ArrayList<>();
    private final Map<String, MemorySample> latest = new ConcurrentHashMap<>();
    private final Map<Long, Double> loads = new ConcurrentSkipListMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    ServiceSampler(List<ServiceProcess> services, Timeline timeline, Duration every) {
        this.services = List.copyOf(services);
        this.timeline = timeline;
        this.thread = Thread.ofPlatform().daemon().name("memory-sampler").start(() -> {
            while (running) {
                long next = System.nanoTime() + every.toNanos();
                sampleNow();
                long left = next - System.nanoTime();
                if (left > 0) {
                    try {
                        Thread.sleep(Duration.ofNanos(left));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        });
    }

    /**
     * Reads every service now, beside the regular readings: a phase shorter than the interval (a
     * download of a second) still gets readings at its ends.
     */
    synchronized void sampleNow() {
        sample();
    }

    private void sample() {
        loadAverage().ifPresent(load -> loads.put(timeline.now(), load));
        for (ServiceProcess service : services) {
            String scrape = scrape(service);
            OptionalLong pid = service.pid();
            long pss = pid.isPresent() ? ProcessMemory.pss(pid.getAsLong()) : 0;
            MemorySample sample = new MemorySample(
                    service.name(),
                    timeline.now(),
                    HeapMetric.heap(scrape, HeapMetric.USED),
                    HeapMetric.heap(scrape, HeapMetric.COMMITTED),
                    pss);
            synchronized (samples) {
                samples.add(sample);
            }
            latest.put(service.name(), sample);
        }
    }

    /** The service's {@code /metrics}; empty when it could not be read. */
    private static String scrape(ServiceProcess service) {
        try {
            HttpResponse<String> metrics = HTTP.send(
                    HttpRequest.newBuilder(service.ops().resolve("/metrics"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return metrics.statusCode() == 200 ? metrics.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The 1-minute load average from {@code /proc/loadavg}; empty where there is none. */
    static Optional<Double> loadAverage() {
        try {
            String line = Files.readString(Path.of("/proc/loadavg"));
            return Optional.of(Double.parseDouble(line.substring(0, line.indexOf(' '))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Every reading so far. */
    List<MemorySample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** Each service's latest reading, by its name. */
    Map<String, MemorySample> latest() {
        Map<String, MemorySample> byName = new LinkedHashMap<>();
        for (ServiceProcess service : services) {
            MemorySample sample = latest.get(service.name());
            if (sample != null) {
                byName.put(service.name(), sample);
            }
        }
        return byName;
    }

    /** The load averages read so far, by when. */
    Map<Long, Double> loads() {
        return Map.copyOf(loads);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
