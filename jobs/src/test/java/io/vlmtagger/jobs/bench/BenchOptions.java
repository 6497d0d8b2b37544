package io.vlmtagger.jobs.bench;

import io.vlmtagger.operators.stage.InferenceOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/** Flags of {@link PipelineBenchmark}; defaults keep the whole run to a few minutes on 2 cores. */
final class BenchOptions {
    Path checkpoint = Path.of(System.getProperty("java.io.tmpdir"), "vlm-bench", "blip2-small");
    Path work = Path.of(System.getProperty("java.io.tmpdir"), "vlm-pipeline-bench-" + ProcessHandle.current().pid());
    Path plot = Path.of("target", "bench", "pipeline-bench.png");
    int images = 64;
    /** model.device of every model phase, and where the raw loop runs. */
    String device = "cpu";
    /** model.dtype of every model phase and of the raw loop. */
    String dtype = "float32";
    /** P1 rounds: raw, then (pipeline, raw) this many times; P1 is the median round. */
    int p1Rounds = 3;
    int warmup = 8;
    int naiveImages = 8;
    /** The job's own default (caption.max-new-tokens): the figures are for the job as users run it. */
    int tokens = InferenceOptions.CAPTION_MAX_NEW_TOKENS.defaultValue();
    int batch = 8;
    int imageSize = 224;
    int latencyEvents = 8;
    int noopEvents = 300_000;
    int noopBatch = 64;
    /**
     * About a minute of the no-op job before measuring: with 30,000 or 150,000 events the JIT
     * compiler threads still took a quarter of the CPU of the measured window and P3 read ~40% low.
     */
    int noopWarmup = 600_000;
    double noopLatencySeconds = 5;
    int dedupEvents = 800;
    int dedupDistinct = 200;
    int dedupModelMs = 20;
    long checkpointMs = 1000;
    Duration timeout = Duration.ofMinutes(15);
    Set<String> phases = new LinkedHashSet<>(ALL_PHASES);
    /** Job options set on every phase's job (--set key=value, repeatable), e.g. search.backend=none. */
    java.util.Map<String, String> jobOverrides = new java.util.LinkedHashMap<>();

    /**
     * p1: raw model + pipeline + P6 with the model; p2: naive job; p3: no-op + P6 no-op; p5: memory;
     * dedup: a backlog of repeated images with caption.dedup.cache-entries off and on.
     */
    static final Set<String> ALL_PHASES = Set.of("p1", "p2", "p3", "p5", "dedup");

    static final String HELP = """
            PipelineBenchmark flags (defaults in brackets):
              --checkpoint DIR        random small BLIP-2, written when missing [$TMPDIR/vlm-bench/blip2-small]
              --device cpu|gpu:N      device of the raw loop and of every model job (P5 runs on cpu only) [cpu]
              --dtype float32|float16 dtype of the same [float32]
              --images N              images for raw and pipeline throughput (P1) [64]
              --p1-rounds N           P1 rounds: raw, then pipeline + raw N times, median of the rounds [3]
              --warmup N              images through the job before measuring [8]
              --naive-images N        images through the naive synchronous job (P2) [8]
              --tokens N              caption.max-new-tokens [20, the job's default]
              --batch N               inference.max-batch-size and the raw batch [8]
              --image-size PX         side of the generated PNGs [224]
              --latency-events N      events paced at 50% of the P1 rate (P6, model) [8]
              --noop-events N         backlog for the no-op capacity (P3) [300000]
              --noop-warmup N         events through the no-op job before the measured backlog (JIT warm-up) [600000]
              --noop-batch N          batch size of the no-op job [64]
              --dedup-events N        backlog of the dedup phase [800]
              --dedup-distinct N      distinct images in it (each repeated events/distinct times) [200]
              --dedup-model-ms N      the dedup phase's model cost per image, ms [20]
              --noop-latency-s S      seconds paced at 50% of P3 (P6, framework) [5]
              --checkpoint-ms MS      checkpoint interval of every job [1000]
              --timeout-s S           give up on a phase after S seconds [900]
              --phases LIST           comma-separated subset of p1,p2,p3,p5,dedup (p1 includes P6 with the model,
                                      p3 P6 with the no-op model) [all]
              --set KEY=VALUE         a job option for every phase's job, repeatable (e.g. search.backend=none)
              --plot FILE             PNG to write [target/bench/pipeline-bench.png]
              --work DIR              broker and index files [$TMPDIR/vlm-pipeline-bench-<pid>]
            """;

    static BenchOptions parse(String[] args) {
        BenchOptions o = new BenchOptions();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help")) {
                System.out.print(HELP);
                System.exit(0);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value\n" + HELP);
            }
            String v = args[++i];
            switch (flag) {
                case "--checkpoint" -> o.checkpoint = Path.of(v);
                case "--device" -> {
                    if (!v.equals("cpu") && !v.matches("gpu:\\d+")) {
                        throw new IllegalArgumentException("--device is cpu or gpu:N, got " + v);
                    }
                    o.device = v;
                }
                case "--dtype" -> {
                    if (!v.equals("float32") && !v.equals("float16")) {
                        throw new IllegalArgumentException("--dtype is float32 or float16, got " + v);
                    }
                    o.dtype = v;
                }
                case "--images" -> o.images = positive(flag, v);
                case "--p1-rounds" -> o.p1Rounds = positive(flag, v);
                case "--warmup" -> o.warmup = positive(flag, v);
                case "--naive-images" -> o.naiveImages = positive(flag, v);
                case "--tokens" -> o.tokens = positive(flag, v);
                case "--batch" -> o.batch = positive(flag, v);
                case "--image-size" -> o.imageSize = positive(flag, v);
                case "--latency-events" -> o.latencyEvents = positive(flag, v);
                case "--noop-events" -> o.noopEvents = positive(flag, v);
                case "--noop-batch" -> o.noopBatch = positive(flag, v);
                case "--dedup-events" -> o.dedupEvents = positive(flag, v);
                case "--dedup-distinct" -> o.dedupDistinct = positive(flag, v);
                case "--dedup-model-ms" -> o.dedupModelMs = positive(flag, v);
                case "--noop-warmup" -> o.noopWarmup = Integer.parseInt(v);
                case "--noop-latency-s" -> o.noopLatencySeconds = Double.parseDouble(v);
                case "--checkpoint-ms" -> o.checkpointMs = positive(flag, v);
                case "--timeout-s" -> o.timeout = Duration.ofSeconds(positive(flag, v));
                case "--phases" -> o.phases = phases(v);
                case "--set" -> {
                    int eq = v.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set needs KEY=VALUE, got " + v);
                    }
                    o.jobOverrides.put(v.substring(0, eq), v.substring(eq + 1));
                }
                case "--plot" -> o.plot = Path.of(v);
                case "--work" -> o.work = Path.of(v);
                default -> throw new IllegalArgumentException("unknown flag " + flag + "\n" + HELP);
            }
        }
        return o;
    }

    boolean runs(String phase) {
        return phases.contains(phase);
    }

    private static Set<String> phases(String v) {
        Set<String> out = new LinkedHashSet<>();
        for (String p : v.toLowerCase(java.util.Locale.ROOT).split(",")) {
            String phase = p.trim();
            if (!ALL_PHASES.contains(phase)) {
                throw new IllegalArgumentException("--phases: unknown phase '" + phase + "', use a subset of p1,p2,p3,p5,dedup");
            }
            out.add(phase);
        }
        return out;
    }

    private static int positive(String flag, String v) {
        int n = Integer.parseInt(v);
        if (n <= 0) {
            throw new IllegalArgumentException(flag + " must be positive, got " + v);
        }
        return n;
    }
}
