package io.vlmtagger.jobs.bench;

import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.kafka.EmbeddedKafka;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.producer.ImageEventProducer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One benchmark phase: its own topics ({@code <phase>-images}, {@code <phase>-captions}, ...), a
 * producer that notes when each event was sent, a {@link ResultWatcher} on the output, and the job
 * on a MiniCluster (started by {@link #start}, cancelled by {@link #close}).
 */
final class RunningJob implements AutoCloseable {
    private final String phase;
    private final int parallelism;
    private final Consumer<StreamExecutionEnvironment> build;
    private final ImageEventProducer producer;
    private final ResultWatcher watcher;
    private final ResultWatcher deadLetters;
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final CpuClock cpu;
    private JobClient client;
    private int expected;

    private RunningJob(EmbeddedKafka kafka, String phase, int parallelism, Consumer<StreamExecutionEnvironment> build,
                       CpuClock cpu) {
        this.cpu = cpu;
        this.phase = phase;
        this.parallelism = parallelism;
        this.build = build;
        kafka.createTopics(2, phase + "-images", phase + "-captions", phase + "-chat", phase + "-dead-letters");
        this.producer = ImageEventProducer.builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setTopic(phase + "-images")
                .optEventIds(() -> phase + "-" + ids.incrementAndGet())
                .optProducerProperty("linger.ms", 5)
                .optProducerProperty("batch.size", 262_144)
                .optProducerProperty("delivery.timeout.ms", 120_000)
                .build();
        this.watcher = new ResultWatcher(kafka.bootstrapServers(), phase + "-captions");
        this.deadLetters = new ResultWatcher(kafka.bootstrapServers(), phase + "-dead-letters", true);
        watcher.failOn(deadLetters);
    }

    /** Topics, producer and watcher; the job starts with {@link #startJob}. */
    static RunningJob prepare(EmbeddedKafka kafka, JobConfig config, String phase, int parallelism,
                              Consumer<StreamExecutionEnvironment> build, CpuClock cpu) {
        return new RunningJob(kafka, phase, parallelism, build, cpu);
    }

    /** Prepares and starts the job. */
    static RunningJob start(EmbeddedKafka kafka, JobConfig config, String phase, int parallelism,
                            Consumer<StreamExecutionEnvironment> build, CpuClock cpu) throws Exception {
        RunningJob job = prepare(kafka, config, phase, parallelism, build, cpu);
        job.startJob();
        return job;
    }

    void startJob() throws Exception {
        Configuration flink = new Configuration();
        flink.setString("restart-strategy.type", "none"); // a failure must end the phase, not hide in restarts
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);
        build.accept(env);
        client = env.executeAsync("bench-" + phase);
        PipelineBenchmark.say(phase + ": job " + client.getJobID() + " started");
    }

    /** Sends {@code n} distinct images (indices from {@code first}) without waiting; returns their ids. */
    List<String> send(int first, int n, int imageSize) {
        return send(first, n, imageSize, i -> i);
    }

    /** Sends {@code n} events; event {@code first + i} carries image {@code image(first + i)}. */
    List<String> send(int first, int n, int imageSize, java.util.function.IntUnaryOperator image) {
        List<String> sent = new ArrayList<>(n);
        List<CompletableFuture<?>> acks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            acks.add(sendOne(image.applyAsInt(first + i), imageSize, sent));
        }
        producer.flush();
        CompletableFuture.allOf(acks.toArray(new CompletableFuture[0])).join();
        expected += n;
        return sent;
    }

    private CompletableFuture<?> sendOne(int index, int imageSize, List<String> sent) {
        ImageEvent event = producer.eventForBytes(BenchImages.png(index, imageSize), "image/png");
        sent.add(event.getEventId());
        sentAt.put(event.getEventId(), System.nanoTime());
        return producer.send(event);
    }

    void sendAndAwait(int first, int n, Duration timeout) throws InterruptedException {
        send(first, n, 64);
        watcher.awaitCount(expected, timeout);
    }

    /** Sends a backlog of {@code n} and returns n / (last visible - first sent), per second. */
    BenchReport.Rate backlogRate(int first, int n, int imageSize, Duration timeout) throws InterruptedException {
        long t0 = System.nanoTime();
        List<String> sent = send(first, n, imageSize);
        watcher.awaitCount(expected, timeout);
        return BenchReport.Rate.of(n, t0, watcher.lastVisible(sent), cpu);
    }

    /**
     * For a backlog sent before {@link #startJob}: the rate between the first and the last
     * checkpoint that made results visible, not counting what the first one released.
     */
    BenchReport.Rate drainRate(List<String> backlog, Duration timeout) throws InterruptedException {
        watcher.awaitCount(expected, timeout);
        long first = watcher.firstVisible(backlog);
        long last = watcher.lastVisible(backlog);
        long inFirst = backlog.stream().filter(id -> watcher.visibleAt(id) <= first + 5_000_000L).count();
        if (last - first < 1_000_000L) {
            throw new IllegalStateException("the whole backlog of " + backlog.size() + " became visible at once;"
                    + " send more events (--noop-events) to measure a rate");
        }
        long epochOffsetMs = System.currentTimeMillis() - System.nanoTime() / 1_000_000L;
        System.out.printf("[bench] measured window: epoch ms %d to %d (for matching profiles)%n",
                epochOffsetMs + first / 1_000_000L, epochOffsetMs + last / 1_000_000L);
        return BenchReport.Rate.of(backlog.size() - inFirst, first, last, cpu);
    }

    /** Sends {@code n} events paced at {@code perSecond}; returns produce-to-visible latencies in ms, sorted. */
    double[] pacedLatencies(int first, int n, double perSecond, int imageSize, Duration timeout)
            throws InterruptedException {
        List<String> sent = new ArrayList<>(n);
        List<CompletableFuture<?>> acks = new ArrayList<>(n);
        long interval = (long) (1e9 / perSecond);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long wait = t0 + i * interval - System.nanoTime();
            if (wait > 200_000L) {
                LockSupport.parkNanos(wait);
            }
            acks.add(sendOne(first + i, imageSize, sent));
        }
        producer.flush();
        CompletableFuture.allOf(acks.toArray(new CompletableFuture[0])).join();
        expected += n;
        watcher.awaitCount(expected, timeout);
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            String id = sent.get(i);
            ms[i] = (watcher.visibleAt(id) - sentAt.get(id)) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    @Override
    public void close() throws Exception {
        try {
            if (client != null) {
                client.cancel().get(60, TimeUnit.SECONDS);
            }
        } finally {
            watcher.close();
            deadLetters.close();
            producer.close();
        }
    }
}
