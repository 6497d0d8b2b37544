package io.vlmtagger.models.bench;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.ChatRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.Timings;
import io.vlmtagger.models.pipeline.Blip2Captioner;
import io.vlmtagger.models.pipeline.LlavaChatModel;
import io.vlmtagger.models.runtime.EngineThreads;
import io.vlmtagger.models.testutil.RandomPixels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The per-operation overhead of generation, measured where there is almost no arithmetic: BLIP-2
 * and LLaVA with their real layer counts and sequence lengths at width 64 ({@link
 * RandomCheckpoints.Size#DEEP}). Per model and batch it prints:
 *
 * <ul>
 *   <li>decode ms per step: (decode time at {@code --tokens} new tokens - at 2) / (tokens - 2),
 *       median over {@code --repeats} interleaved pairs, wall clock and process CPU time (the CPU
 *       figure is less disturbed by other work on a shared machine);
 *   <li>native operations per step: ATen operator calls that libtorch's profiler records at the top
 *       level (an op's own sub-ops not counted), same difference;
 *   <li>Java-to-native calls per step made through the kernels (0 for code that runs DJL ops);
 *   <li>prefill ms and vision ms of the 2-token run.
 * </ul>
 *
 * <p>Run (CPU heavy; quiet machine):
 *
 * <pre>
 * mvn -B -o -q -pl models test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.vlmtagger.models.bench.DecodeOverheadBenchmark \
 *     -Dexec.args="--models blip2,llava --batches 1,8,32 --tokens 20 --threads 2 --repeats 3"
 * </pre>
 *
 * Options: {@code --dir DIR} (where the random checkpoints are written on first use; default
 * {@code $TMPDIR/vlm-bench}), {@code --ops false} to skip the profiler runs, {@code --op-names true} to print each row's
 * top-level ATen calls per step by name, {@code --device},
 * {@code --dtype}, {@code --memory B} to add a second table: peak resident memory of one generation
 * of 20 and of 200 new tokens at batch B (VmHWM reset before each through /proc/self/clear_refs),
 * the KV cache's own growth between the two, and what grew beyond it (0 when a generation's
 * memory does not grow with its steps).
 */
public final class DecodeOverheadBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DecodeOverheadBenchmark() {}

    private record Settings(List<String> models, int[] batches, int tokens, int threads, int repeats, Path dir,
                            boolean ops, boolean opNames, String device, String dtype, int memoryBatch) {}

    /** One model's generate call for a batch size and a token count. */
    private interface Model extends AutoCloseable {
        List<GenerationResult> generate(int batch, int tokens);

        @Override
        void close();
    }

    public static void main(String[] args) throws Exception {
        Settings s = parse(args);
        System.setProperty(EngineThreads.NUM_THREADS, Integer.toString(s.threads()));
        System.setProperty(EngineThreads.NUM_INTEROP_THREADS, "1");
        System.setProperty("ai.djl.offline", "true");
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "decode-overhead"));
        try {
            worker.submit(() -> {
                run(s);
                return null;
            }).get();
        } finally {
            worker.shutdownNow();
        }
    }

    private static void run(Settings s) throws Exception {
        System.out.printf(Locale.ROOT, "%s, %d intra-op thread(s), %s %s, greedy, %d vs 2 new tokens, median of %d%n",
                java.time.LocalDate.now(), s.threads(), s.device(), s.dtype(), s.tokens(), s.repeats());
        System.out.println("| model | batch | decode ms/step | CPU ms/step | native ops/step | JNI calls/step | prefill ms | vision ms |");
        System.out.println("|:------|------:|---------------:|------------:|----------------:|---------------:|-----------:|----------:|");
        for (String name : s.models()) {
            try (Model model = open(name, s)) {
                model.generate(1, s.tokens()); // warm-up: JIT, allocator pools
                for (int batch : s.batches()) {
                    model.generate(batch, 2);
                    row(name, model, batch, s);
                    if (s.opNames()) {
                        opNames(model, batch, s.tokens());
                    }
                }
            }
        }
        if (s.memoryBatch() > 0) {
            memory(s);
        }
    }

    /** Peak RSS of a 20- and a 200-token generation at one batch size, against the KV cache's growth. */
    private static void memory(Settings s) throws Exception {
        int batch = s.memoryBatch();
        System.out.println();
        System.out.println("| model | batch | peak MiB above idle, 20 tokens | 200 tokens | KV cache growth MiB | growth beyond the cache MiB |");
        System.out.println("|:------|------:|------:|------:|------:|------:|");
        for (String name : s.models()) {
            try (Model model = open(name, s)) {
                model.generate(batch, 20); // pools and code warm
                model.generate(batch, 200);
                double short20 = peakAboveIdleMiB(() -> model.generate(batch, 20));
                double long200 = peakAboveIdleMiB(() -> model.generate(batch, 200));
                JsonNode text = RandomCheckpoints.config(s.dir().resolve("deep-" + name)).path("text_config");
                int heads = text.path("num_attention_heads").asInt();
                int kvHeads = text.path("num_key_value_heads").asInt(heads);
                long perPosition = 2L * text.path("num_hidden_layers").asInt() * batch * kvHeads
                        * (text.path("hidden_size").asInt() / heads) * (s.dtype().equals("float32") ? 4 : 2);
                double kvGrowth = perPosition * 180 / (double) (1 << 20);
                System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f |%n", name, batch, short20, long200,
                        kvGrowth, long200 - short20 - kvGrowth);
            }
        }
    }

    /** VmHWM - VmRSS before the call, VmHWM reset first (Linux: "5" to /proc/self/clear_refs). */
    private static double peakAboveIdleMiB(Runnable call) throws java.io.IOException {
        System.gc();
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        long idle = status("VmRSS:");
        call.run();
        return (status("VmHWM:") - idle) / 1024.0;
    }

    private static long status(String key) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no " + key + " in /proc/self/status");
    }

    private static void row(String name, Model model, int batch, Settings s) {
        int n = s.tokens();
        double[] wall = new double[s.repeats()];
        double[] cpu = new double[s.repeats()];
        double[] calls = new double[s.repeats()];
        double prefill = 0;
        double vision = 0;
        for (int r = 0; r < s.repeats(); r++) {
            long c0 = CaptionBenchmark.processCpuNanos();
            long k0 = kernelCalls();
            Timings longRun = model.generate(batch, n).get(0).timings();
            long c1 = CaptionBenchmark.processCpuNanos();
            long k1 = kernelCalls();
            Timings shortRun = model.generate(batch, 2).get(0).timings();
            long c2 = CaptionBenchmark.processCpuNanos();
            long k2 = kernelCalls();
            wall[r] = (longRun.decodeMs() - shortRun.decodeMs()) / (n - 2);
            // CPU of the whole long call minus the short one, vision and prefill alike in both
            cpu[r] = ((c1 - c0) - (c2 - c1)) / 1e6 / (n - 2);
            calls[r] = (double) ((k1 - k0) - (k2 - k1)) / (n - 2);
            prefill += shortRun.prefillMs() / s.repeats();
            vision += shortRun.visionMs() / s.repeats();
        }
        String ops = s.ops() ? String.format(Locale.ROOT, "%.0f", opsPerStep(model, batch, n)) : "-";
        System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f | %s | %.0f | %.1f | %.1f |%n", name, batch,
                median(wall), median(cpu), ops, median(calls), prefill, vision);
    }

    /** Top-level ATen calls of a generation at {@code n} tokens minus those at 2, per step. */
    private static double opsPerStep(Model model, int batch, int n) {
        return (topLevelOps(() -> model.generate(batch, n)) - topLevelOps(() -> model.generate(batch, 2))) / (double) (n - 2);
    }

    /** With {@code --op-names}: the top-level ATen calls of one step by name, most frequent first. */
    private static void opNames(Model model, int batch, int n) {
        Map<String, Long> longRun = new TreeMap<>();
        Map<String, Long> shortRun = new TreeMap<>();
        topLevelOps(() -> model.generate(batch, n), longRun);
        topLevelOps(() -> model.generate(batch, 2), shortRun);
        List<Map.Entry<String, Long>> perStep = new ArrayList<>();
        for (Map.Entry<String, Long> e : longRun.entrySet()) {
            long d = e.getValue() - shortRun.getOrDefault(e.getKey(), 0L);
            if (d > 0) {
                perStep.add(Map.entry(e.getKey(), d));
            }
        }
        perStep.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        StringBuilder line = new StringBuilder("    per step:");
        for (Map.Entry<String, Long> e : perStep) {
            line.append(String.format(Locale.ROOT, " %s %.1f,", e.getKey(), e.getValue() / (double) (n - 2)));
        }
        System.out.println(line.substring(0, line.length() - 1));
    }

    private static long topLevelOps(Runnable call) {
        return topLevelOps(call, new TreeMap<>());
    }

    private static long topLevelOps(Runnable call, Map<String, Long> byName) {
        try {
            Path trace = Files.createTempFile("decode-ops", ".json");
            JniUtils.startProfile(false, false, false);
            try {
                call.run();
            } finally {
                JniUtils.stopProfile(trace.toString());
            }
            JsonNode events = JSON.readTree(trace.toFile());
            Files.deleteIfExists(trace);
            List<double[]> spans = new ArrayList<>(); // tid, start, end, index into names
            List<String> names = new ArrayList<>();
            for (JsonNode e : events) {
                if (e.path("name").asText().startsWith("aten::")) {
                    double ts = e.path("ts").asDouble();
                    spans.add(new double[] {e.path("tid").asDouble(), ts, ts + e.path("dur").asDouble(), names.size()});
                    names.add(e.path("name").asText());
                }
            }
            spans.sort(Comparator.<double[]>comparingDouble(x -> x[0]).thenComparingDouble(x -> x[1])
                    .thenComparingDouble(x -> -x[2]));
            long top = 0;
            double tid = Double.NaN;
            double openUntil = Double.NEGATIVE_INFINITY;
            for (double[] span : spans) {
                if (span[0] != tid) {
                    tid = span[0];
                    openUntil = Double.NEGATIVE_INFINITY;
                }
                if (span[1] >= openUntil) { // not inside the previous top-level op
                    top++;
                    byName.merge(names.get((int) span[3]), 1L, Long::sum);
                    openUntil = span[2];
                }
            }
            return top;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Model open(String name, Settings s) throws Exception {
        Path dir = s.dir().resolve("deep-" + name);
        if (!Files.exists(dir.resolve("model.safetensors"))) {
            long t = System.nanoTime();
            if (name.equals("blip2")) {
                RandomCheckpoints.blip2(dir, RandomCheckpoints.Size.DEEP);
            } else {
                RandomCheckpoints.llava(dir, RandomCheckpoints.Size.DEEP);
            }
            System.out.printf(Locale.ROOT, "wrote %s in %.1f s%n", dir, (System.nanoTime() - t) / 1e9);
        }
        JsonNode config = RandomCheckpoints.config(dir);
        int size = config.path("vision_config").path("image_size").asInt();
        Random random = new Random(42);
        switch (name) {
            case "blip2" -> {
                Blip2Captioner captioner = Blip2Captioner.builder().setCheckpoint(dir).optDevice(s.device())
                        .optDtype(s.dtype()).build();
                return model(captioner::close, (batch, tokens) -> captioner.caption(
                        repeat(batch, i -> CaptionRequest.of(RandomPixels.of(random.nextLong(), size))), options(tokens)));
            }
            case "llava" -> {
                LlavaChatModel chat = LlavaChatModel.builder().setCheckpoint(dir).optDevice(s.device())
                        .optDtype(s.dtype()).build();
                return model(chat::close, (batch, tokens) -> chat.answer(
                        repeat(batch, i -> new ChatRequest(RandomPixels.of(random.nextLong(), size), List.of(), "what is in the image ?")),
                        options(tokens)));
            }
            default -> throw new IllegalArgumentException("--models takes blip2 and/or llava, got " + name);
        }
    }

    private interface Generate {
        List<GenerationResult> apply(int batch, int tokens);
    }

    private static Model model(Runnable close, Generate generate) {
        return new Model() {
            @Override
            public List<GenerationResult> generate(int batch, int tokens) {
                return generate.apply(batch, tokens);
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }

    private static <T> List<T> repeat(int n, Function<Integer, T> make) {
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(make.apply(i));
        }
        return out;
    }

    private static GenerationOptions options(int tokens) {
        return GenerationOptions.builder().optMaxNewTokens(tokens).optMinNewTokens(tokens).build();
    }

    /** Native calls counted by the kernels, if this build has them (0 otherwise: DJL ops are not counted). */
    private static long kernelCalls() {
        try {
            return (Long) Class.forName("io.vlmtagger.models.kernels.Kernels").getMethod("nativeCalls").invoke(null);
        } catch (ReflectiveOperationException e) {
            return 0;
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static Settings parse(String[] args) {
        List<String> models = List.of("blip2", "llava");
        int[] batches = {1, 8, 32};
        int tokens = 20;
        int threads = 2;
        int repeats = 3;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "vlm-bench");
        boolean ops = true;
        String device = "cpu";
        String dtype = "float32";
        int memoryBatch = 0;
        boolean opNames = false;
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--models" -> models = List.of(v.split(","));
                case "--batches" -> batches = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--tokens" -> tokens = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--repeats" -> repeats = Integer.parseInt(v);
                case "--dir" -> dir = Path.of(v);
                case "--ops" -> ops = Boolean.parseBoolean(v);
                case "--op-names" -> opNames = Boolean.parseBoolean(v);
                case "--device" -> device = v;
                case "--dtype" -> dtype = v;
                case "--memory" -> memoryBatch = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --models --batches --tokens --threads --repeats --dir --ops --device --dtype --memory");
            }
        }
        if (tokens <= 2) {
            throw new IllegalArgumentException("--tokens must be more than 2 (steps are measured against a 2-token run)");
        }
        return new Settings(models, batches, tokens, threads, repeats, dir, ops, opNames, device, dtype, memoryBatch);
    }
}
