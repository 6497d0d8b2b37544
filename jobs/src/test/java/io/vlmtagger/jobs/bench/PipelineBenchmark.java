package io.vlmtagger.jobs.bench;

import io.vlmtagger.jobs.CheckpointModels;
import io.vlmtagger.jobs.TaggingJob;
import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.kafka.EmbeddedKafka;
import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.bench.RandomCheckpoints;
import io.vlmtagger.models.runtime.EngineThreads;
import io.vlmtagger.operators.inference.InferenceSettings;
import io.vlmtagger.operators.slots.DeviceGates;
import io.vlmtagger.operators.slots.ModelProvider;
import io.vlmtagger.operators.slots.ModelSpec;
import io.vlmtagger.operators.slots.SlotModel;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline benchmark of issue 7: one JVM, one in-process Kafka broker, Flink MiniClusters, the
 * random-weight "small" BLIP-2 of the models benchmark ({@link RandomCheckpoints}). Prints:
 * P1 end-to-end throughput / raw batched model throughput, P2 speedup over a naive synchronous
 * map() job, P3 framework capacity with a no-op model (exactly-once, parallelism 2), P5 memory of
 * two slots on one device against one model, P6 latency p50/p99 at 50% of capacity. Every
 * end-to-end figure counts an image when its result is visible to a {@code read_committed}
 * consumer. Not a test: run it on purpose (CPU heavy, minutes):
 *
 * <pre>
 * mvn -B -o -q -pl jobs test-compile exec:exec -Pbench
 * </pre>
 *
 * or with any classpath: {@code java -cp ... io.vlmtagger.jobs.bench.PipelineBenchmark --help}.
 * See {@link BenchOptions} for the flags (run lengths, tokens, batch size, plot path).
 */
public final class PipelineBenchmark {
    private final BenchOptions o;
    private final EmbeddedKafka kafka;
    private final BenchReport report = new BenchReport();
    private final CpuClock cpu = new CpuClock();
    private long rssOne;

    private PipelineBenchmark(BenchOptions o, EmbeddedKafka kafka) {
        this.o = o;
        this.kafka = kafka;
    }

    public static void main(String[] args) throws Exception {
        BenchOptions o = BenchOptions.parse(args);
        // one model runs at a time in the model phases: all cores to it (the slot path keeps this)
        EngineThreads.Settings threads = EngineThreads.configure(1);
        System.setProperty("ai.djl.offline", "true");
        boolean needsModel = o.runs("p1") || o.runs("p2") || o.runs("p5");
        if (needsModel && !Files.exists(o.checkpoint.resolve("model.safetensors"))) {
            say("writing the random small BLIP-2 checkpoint to " + o.checkpoint);
            RandomCheckpoints.blip2(o.checkpoint, RandomCheckpoints.Size.SMALL);
        }
        BenchReport.Machine before = BenchReport.Machine.now();
        long start = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().optBaseDirectory(o.work.resolve("kafka")).build()) {
            PipelineBenchmark bench = new PipelineBenchmark(o, kafka);
            bench.report.threads = threads;
            bench.report.before = before;
            bench.run();
            bench.report.after = BenchReport.Machine.now();
            bench.report.wallSeconds = (System.nanoTime() - start) / 1e9;
            bench.report.options = o;
            bench.report.print(System.out);
            if (o.phases.containsAll(BenchOptions.ALL_PHASES)) {
                BenchPlot.write(bench.report, o.plot);
                say("plot written to " + o.plot.toAbsolutePath());
            }
        }
        System.exit(0); // Kafka/Flink leave non-daemon threads behind
    }

    private void run() throws Exception {
        if (o.runs("p1") || o.runs("p2") || o.runs("p5")) {
            ModelProvider<ImageCaptioner> provider = CheckpointModels.captioners();
            ModelSpec spec = ModelSpec.of(o.checkpoint.toString()).withDtype(o.dtype);
            GenerationOptions generation = InferenceSettings.fromConfig(
                    jobConfig("raw", 1).toConfiguration()).captionGeneration();
            long rss0 = RssSampler.rssBytes();
            // The first handle stays open through the model phases: jobs acquire the same shared weights.
            try (ImageCaptioner model = provider.acquire(spec, o.device)) {
                List<CaptionRequest> requests = requests(model);
                if (o.runs("p5") && !o.device.equals("cpu")) {
                    say("P5 skipped: it reads the process's RSS, and on " + o.device + " the activations that"
                            + " two slots may duplicate live in device memory");
                } else if (o.runs("p5")) {
                    // first: the slots' batches are the first the process runs, so no other thread
                    // holds freed activations in its allocator arena yet
                    memory(provider, spec, requests, generation, rss0);
                }
                say("raw model: warm-up batch of " + o.batch);
                model.caption(requests.subList(0, Math.min(o.batch, requests.size())), generation);
                if (o.runs("p1")) {
                    pipeline(model, requests, generation);
                }
                if (o.runs("p2")) {
                    naive(provider, spec);
                    // the naive job's own limit: the model alone at batch 1, on the same images
                    report.rawBatch1 = rawRate(model, requests.subList(0, Math.min(o.naiveImages, requests.size())),
                            generation, 1);
                    say("raw model at batch 1: " + report.rawBatch1 + " images/s");
                }
            }
        }
        if (o.runs("p3")) {
            noop();
        }
        if (o.runs("dedup")) {
            dedup();
        }
    }

    /**
     * Dedup: a backlog of {@code --dedup-events} events over {@code --dedup-distinct} images (event
     * i carries image i mod distinct, so a repeat arrives after the other images' first copies, as a
     * replay would), through the job with a model that costs {@code --dedup-model-ms} per image;
     * once with {@code caption.dedup.cache-entries} off, once with a cache. Counts the rows the model
     * ran and the drain rate.
     */
    private void dedup() throws Exception {
        for (boolean on : new boolean[] {false, true}) {
            String phase = on ? "dedup-on" : "dedup-off";
            java.util.concurrent.atomic.AtomicLong rows = CountingCaptioner.rows(phase);
            JobConfig config = jobConfig(phase, 1, "caption.dedup.cache-entries", on ? "10000" : "-1");
            try (RunningJob job = RunningJob.prepare(kafka, config, phase, 1,
                    env -> TaggingJob.builder().setConfig(config)
                            .setCaptionerProvider(CountingCaptioner.provider(o.dedupModelMs, phase))
                            .build().addTo(env), cpu)) {
                int distinct = o.dedupDistinct;
                List<String> backlog = job.send(0, o.dedupEvents, 32, i -> i % distinct);
                job.startJob();
                BenchReport.Rate rate = job.drainRate(backlog, o.timeout);
                if (on) {
                    report.dedupOn = rate;
                    report.dedupRowsOn = rows.get();
                } else {
                    report.dedupOff = rate;
                    report.dedupRowsOff = rows.get();
                }
                say(phase + ": " + rate + " events/s, " + rows.get() + " model rows for " + o.dedupEvents + " events");
            }
        }
    }

    /** On a fresh thread, like the batcher's model thread (not on the JVM's main thread). */
    private BenchReport.Rate rawRate(ImageCaptioner model, List<CaptionRequest> requests, GenerationOptions generation,
                                     int batch) throws Exception {
        java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor(
                r -> new Thread(r, "bench-raw-model"));
        try {
            return thread.submit(() -> {
                long t0 = System.nanoTime();
                for (int i = 0; i < requests.size(); i += batch) {
                    model.caption(requests.subList(i, Math.min(requests.size(), i + batch)), generation);
                }
                return BenchReport.Rate.of(requests.size(), t0, System.nanoTime(), cpu);
            }).get();
        } finally {
            thread.shutdownNow();
        }
    }

    private List<CaptionRequest> requests(ImageCaptioner model) throws Exception {
        List<CaptionRequest> requests = new ArrayList<>();
        for (int i = 0; i < o.images; i++) {
            requests.add(new CaptionRequest(model.preprocess(BenchImages.png(i, o.imageSize)), null));
        }
        return requests;
    }

    /** Raw batched throughput on the model alone. */
    private BenchReport.Rate rawOnce(ImageCaptioner model, List<CaptionRequest> requests, GenerationOptions generation)
            throws Exception {
        BenchReport.Rate raw = rawRate(model, requests, generation, o.batch);
        say("raw model: " + raw + " images/s at batch " + o.batch);
        return raw;
    }

    /**
     * P5: two slots on the same device, as two caption subtasks of one TaskManager hold them: each
     * a {@link SlotModel} from the production provider (shared weights through the per-JVM
     * registry) behind the device's gate ({@code inference.device-concurrency}, default 1). One
     * slot: the peak RSS while slot A runs a batch alone (twice: the first batch also initialises
     * the runtime); two slots: while A and B submit a batch at the same moment. Both over the RSS
     * before the model was loaded.
     */
    private void memory(ModelProvider<ImageCaptioner> provider, ModelSpec spec, List<CaptionRequest> requests,
                        GenerationOptions generation, long rss0) throws Exception {
        int concurrency = InferenceSettings.fromConfig(jobConfig("p5", 2).toConfiguration()).deviceConcurrency();
        report.deviceConcurrency = concurrency;
        long rssBeforeSlots = RssSampler.rssBytes();
        try (SlotModel<ImageCaptioner> a = SlotModel.acquire(provider, spec, "cpu", "p5-slot-0",
                     DeviceGates.global().gate("cpu", concurrency));
             SlotModel<ImageCaptioner> b = SlotModel.acquire(provider, spec, "cpu", "p5-slot-1",
                     DeviceGates.global().gate("cpu", concurrency))) {
            report.secondHandleBytes = RssSampler.rssBytes() - rssBeforeSlots;
            List<CaptionRequest> batch = requests.subList(0, Math.min(o.batch, requests.size()));
            try (RssSampler one = new RssSampler()) {
                for (int i = 0; i < 2; i++) {
                    CompletableFuture.runAsync(() -> runBatch(a, batch, generation))
                            .get(o.timeout.toSeconds(), TimeUnit.SECONDS);
                }
                rssOne = one.peakBytes();
            }
            try (RssSampler two = new RssSampler()) {
                CompletableFuture<?> runA = CompletableFuture.runAsync(() -> runBatch(a, batch, generation));
                CompletableFuture<?> runB = CompletableFuture.runAsync(() -> runBatch(b, batch, generation));
                CompletableFuture.allOf(runA, runB).get(o.timeout.toSeconds(), TimeUnit.SECONDS);
                report.memoryTwoSlotsBytes = two.peakBytes() - rss0;
            }
            report.memoryOneSlotBytes = rssOne - rss0;
        }
        say(String.format(Locale.ROOT, "memory: one slot %d MB, two slots %d MB (their handles added %d MB;"
                        + " inference.device-concurrency %d)", report.memoryOneSlotBytes >> 20,
                report.memoryTwoSlotsBytes >> 20, report.secondHandleBytes >> 20, concurrency));
    }

    private static void runBatch(SlotModel<ImageCaptioner> slot, List<CaptionRequest> batch, GenerationOptions generation) {
        try {
            slot.runBatch(() -> slot.model().caption(batch, generation));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * P1 (backlog of images through the real job) and P6 (paced at 50% of the P1 rate). P1 runs
     * in rounds, raw and pipeline interleaved (raw, pipeline, raw, pipeline, raw, ...): the
     * machine's speed drifts by tens of percent within minutes, so each pipeline run is compared
     * with the raw runs right before and after it, and P1 is the median round. The raw loop runs
     * while the (idle) job stays up, so it shares the process with the job's idle threads.
     */
    private void pipeline(ImageCaptioner model, List<CaptionRequest> requests, GenerationOptions generation)
            throws Exception {
        JobConfig config = jobConfig("p1", 1);
        try (RunningJob job = RunningJob.start(kafka, config, "p1", 1,
                env -> TaggingJob.builder().setConfig(config).setCaptionerProvider(CheckpointModels.captioners())
                        .build().addTo(env), cpu)) {
            job.sendAndAwait(1000, o.warmup, o.timeout);
            List<BenchReport.Rate> raws = new ArrayList<>(List.of(rawOnce(model, requests, generation)));
            List<BenchReport.Rate> pipelines = new ArrayList<>();
            List<BenchReport.Rate> rounds = new ArrayList<>();
            for (int r = 0; r < o.p1Rounds; r++) {
                BenchReport.Rate pipeline = job.backlogRate(2000 + r * o.images, o.images, o.imageSize, o.timeout);
                say("pipeline: " + pipeline + " images/s");
                pipelines.add(pipeline);
                raws.add(rawOnce(model, requests, generation));
                BenchReport.Rate rawAround = new BenchReport.Rate((raws.get(r).wall() + raws.get(r + 1).wall()) / 2,
                        (raws.get(r).perCpu() + raws.get(r + 1).perCpu()) / 2);
                rounds.add(pipeline.over(rawAround));
            }
            report.rawRuns = raws;
            report.pipelineRuns = pipelines;
            report.p1Rounds = rounds;
            report.raw = BenchReport.median(raws);
            report.pipeline = BenchReport.median(pipelines);
            double rate = 0.5 * report.pipeline.wall();
            report.latencyModelMs = job.pacedLatencies(2000 + o.p1Rounds * o.images, o.latencyEvents, rate,
                    o.imageSize, o.timeout);
            report.latencyModelRate = rate;
        }
    }

    /** P2: the same model behind a synchronous map(), one record per call. */
    private void naive(ModelProvider<ImageCaptioner> provider, ModelSpec spec) throws Exception {
        JobConfig config = jobConfig("p2", 1);
        try (RunningJob job = RunningJob.start(kafka, config, "p2", 1,
                env -> NaiveCaptionJob.addTo(env, kafka.bootstrapServers(), "p2-images", "p2-captions",
                        provider, spec, o.device, o.tokens, o.checkpointMs), cpu)) {
            job.sendAndAwait(1000, 1, o.timeout);
            report.naive = job.backlogRate(2000, o.naiveImages, o.imageSize, o.timeout);
            say("naive job: " + report.naive + " images/s");
        }
    }

    /** P3: no-op model, parallelism 2, exactly-once; then P6 for the framework alone at 50% of it. */
    private void noop() throws Exception {
        // four batches in flight per subtask: one running, the next ones filling behind it
        JobConfig config = jobConfig("p3", 2, "inference.max-batch-size", Integer.toString(o.noopBatch),
                "inference.capacity", Integer.toString(4 * o.noopBatch));
        try (RunningJob job = RunningJob.prepare(kafka, config, "p3", 2,
                env -> TaggingJob.builder().setConfig(config).setCaptionerProvider(NoopCaptioner.provider())
                        .build().addTo(env), cpu)) {
            // the backlog goes in before the job starts, so the producer does not set the pace; a
            // warm-up backlog ahead of it lets the JIT compile the job's code first (in a cold JVM
            // the compiler threads took ~30% of the CPU of the first 25 s), and the rate is taken
            // over the measured backlog only, which the job reaches already saturated
            if (o.noopWarmup > 0) {
                job.send(2_000_000, o.noopWarmup, 8);
            }
            List<String> backlog = job.send(1_000_000, o.noopEvents, 8);
            job.startJob();
            report.noop = job.drainRate(backlog, o.timeout);
            say("no-op model: " + report.noop + " events/s");
            double rate = 0.5 * report.noop.wall();
            int events = (int) Math.max(100, rate * o.noopLatencySeconds);
            report.latencyNoopMs = job.pacedLatencies(3_000_000, events, rate, 8, o.timeout);
            report.latencyNoopRate = rate;
        }
    }

    private JobConfig jobConfig(String phase, int parallelism, String... extra) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kafka.bootstrap-servers", kafka == null ? "localhost:9" : kafka.bootstrapServers());
        m.put("kafka.group-id", "bench-" + phase);
        m.put("kafka.transactional-id-prefix", "bench-" + phase);
        m.put("kafka.transaction-timeout", "60 s");
        m.put("topic.input", phase + "-images");
        m.put("topic.captions", phase + "-captions");
        m.put("topic.chat-answers", phase + "-chat");
        m.put("topic.dead-letters", phase + "-dead-letters");
        m.put("job.name", "bench-" + phase);
        m.put("job.parallelism", Integer.toString(parallelism));
        m.put("checkpoint.interval", o.checkpointMs + " ms");
        m.put("search.lucene.dir", o.work.resolve("index-" + phase).toString());
        m.put("model.caption.checkpoint", o.checkpoint.toString());
        m.put("model.device", o.device);
        m.put("model.dtype", o.dtype);
        m.put("inference.max-batch-size", Integer.toString(o.batch));
        m.put("inference.timeout", o.timeout.toSeconds() + " s");
        m.put("inference.max-attempts", "1");
        m.put("caption.max-new-tokens", Integer.toString(o.tokens));
        for (int i = 0; i + 1 < extra.length; i += 2) {
            m.put(extra[i], extra[i + 1]);
        }
        m.putAll(o.jobOverrides);
        return JobConfig.fromMap(m);
    }

    static void say(String line) {
        System.out.println("[bench] " + line);
        System.out.flush();
    }
}
