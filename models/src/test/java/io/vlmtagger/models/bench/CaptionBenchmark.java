package io.vlmtagger.models.bench;

import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.pipeline.Blip2Captioner;
import io.vlmtagger.models.runtime.EngineThreads;
import io.vlmtagger.models.testutil.RandomPixels;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Captioning throughput of the whole BLIP-2 pipeline (vision, Q-Former, OPT generation) with
 * random weights at the "small" size ({@link RandomCheckpoints}): greedy, {@code tokens} new
 * tokens per image (min = max), per batch size, on {@code threads} intra-op threads (inter-op 1).
 * Prints images/s and new tokens/s with the split of a batch's time, and images per {@code threads}
 * CPU-seconds of the process (what the wall-clock rate would be with the cores to itself, as far as
 * the work scales; on a busy machine the wall-clock figures include waiting for a core).
 *
 * <p>Run (CPU heavy; on a quiet machine):
 *
 * <pre>
 * mvn -B -o -q -pl models test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.vlmtagger.models.bench.CaptionBenchmark \
 *     -Dexec.args="--batches 1,8,32 --tokens 20 --threads 2 --repeats 1"
 * </pre>
 *
 * Options: {@code --checkpoint DIR} (default {@code $TMPDIR/vlm-bench/blip2-small}, written on
 * first use, ~620 MB), {@code --dtype float32|bfloat16|float16}, {@code --device cpu|gpu:N},
 * {@code --caller worker|main} (the thread that calls the model: a worker thread as in the job, by
 * default; before 3 Dec the JVM's main thread).
 */
public final class CaptionBenchmark {

    private CaptionBenchmark() {}

    /** What to measure, from the command line. */
    private record Settings(Path checkpoint, int[] batches, int tokens, int threads, int repeats, String dtype,
                            String device, boolean onMainThread) {}

    public static void main(String[] args) throws Exception {
        Settings s = parse(args);
        System.setProperty(EngineThreads.NUM_THREADS, Integer.toString(s.threads()));
        System.setProperty(EngineThreads.NUM_INTEROP_THREADS, "1");
        System.setProperty("ai.djl.offline", "true");
        if (!Files.exists(s.checkpoint().resolve("model.safetensors"))) {
            long t = System.nanoTime();
            RandomCheckpoints.blip2(s.checkpoint(), RandomCheckpoints.Size.SMALL);
            System.out.printf(Locale.ROOT, "wrote random checkpoint %s in %.1f s%n", s.checkpoint(), (System.nanoTime() - t) / 1e9);
        }
        if (s.onMainThread()) {
            measure(s);
            return;
        }
        // a worker thread, as in the job (the batcher's model thread)
        java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor(
                r -> new Thread(r, "caption-benchmark"));
        try {
            worker.submit(() -> {
                measure(s);
                return null;
            }).get();
        } finally {
            worker.shutdownNow();
        }
    }

    private static Settings parse(String[] args) {
        Path checkpoint = Path.of(System.getProperty("java.io.tmpdir"), "vlm-bench", "blip2-small");
        int[] batches = {1, 8, 32};
        int tokens = 20;
        int threads = 2;
        int repeats = 1;
        String dtype = "float32";
        String device = "cpu";
        boolean onMainThread = false;
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--checkpoint" -> checkpoint = Path.of(value);
                case "--batches" -> batches = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--tokens" -> tokens = Integer.parseInt(value);
                case "--threads" -> threads = Integer.parseInt(value);
                case "--repeats" -> repeats = Integer.parseInt(value);
                case "--dtype" -> dtype = value;
                case "--device" -> device = value;
                case "--caller" -> onMainThread = switch (value) {
                    case "main" -> true;
                    case "worker" -> false;
                    default -> throw new IllegalArgumentException("--caller is main or worker, got " + value);
                };
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --checkpoint --batches --tokens --threads --repeats --dtype --device --caller");
            }
        }
        return new Settings(checkpoint, batches, tokens, threads, repeats, dtype, device, onMainThread);
    }

    private static void measure(Settings s) throws Exception {
        int[] batches = s.batches();
        int tokens = s.tokens();
        int threads = s.threads();
        int repeats = s.repeats();
        long loadStart = System.nanoTime();
        try (Blip2Captioner captioner = Blip2Captioner.builder().setCheckpoint(s.checkpoint())
                .optDevice(s.device()).optDtype(s.dtype()).build()) {
            System.out.printf(Locale.ROOT, "loaded %s in %.1f s; %d intra-op threads, greedy, %d new tokens (min = max);"
                            + " calls from thread '%s'%n",
                    captioner.info(), (System.nanoTime() - loadStart) / 1e9, threads, tokens, Thread.currentThread().getName());
            GenerationOptions options = GenerationOptions.builder().optMaxNewTokens(tokens).optMinNewTokens(tokens).build();
            System.out.println("| batch | images/s | new tokens/s | s/batch | vision ms | prefill ms | decode ms | images per "
                    + threads + " CPU-s |");
            System.out.println("|------:|---------:|-------------:|--------:|----------:|-----------:|----------:|------:|");
            Random random = new Random(42);
            // one warm-up call (JIT, allocator pools, lazily loaded weights) before any measurement
            captioner.caption(List.of(CaptionRequest.of(RandomPixels.of(random.nextLong(), 224))), options);
            for (int batch : batches) {
                List<CaptionRequest> requests = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    requests.add(CaptionRequest.of(RandomPixels.of(random.nextLong(), 224)));
                }
                // and one at this batch size: its first call allocates the larger activations
                // (page faults, allocator growth), as the HF script warms up each batch size
                captioner.caption(requests, options);
                double vision = 0;
                double prefill = 0;
                double decode = 0;
                long newTokens = 0;
                long start = System.nanoTime();
                long cpuStart = processCpuNanos();
                for (int r = 0; r < repeats; r++) {
                    List<GenerationResult> out = captioner.caption(requests, options);
                    vision += out.get(0).timings().visionMs();
                    prefill += out.get(0).timings().prefillMs();
                    decode += out.get(0).timings().decodeMs();
                    for (GenerationResult g : out) {
                        newTokens += g.newTokens();
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
                // on a shared machine wall time includes waiting for a core; CPU time shows the work
                System.out.printf(Locale.ROOT, "| %5d | %8.2f | %12.1f | %7.2f | %9.0f | %10.0f | %9.0f | %5.2f |%n",
                        batch, batch * repeats / seconds, newTokens / seconds, seconds / repeats,
                        vision / repeats, prefill / repeats, decode / repeats, batch * repeats / (cpuSeconds / threads));
            }
        }
    }

    /** This process's CPU time, all threads. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
