package io.vlmtagger.models.bench;

import io.vlmtagger.models.api.ChatRequest;
import io.vlmtagger.models.api.ContinuousChat;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.pipeline.LlavaChatModel;
import io.vlmtagger.models.runtime.EngineThreads;
import io.vlmtagger.models.runtime.SharedModelRegistry;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Static batching vs continuous batching of LLaVA chat for staggered (Poisson) arrivals. Each
 * request wants its own number of new tokens (uniform in {@code --tokens MIN,MAX}), as answers of
 * different lengths do.
 * <ul>
 *   <li><b>static</b>: what {@code MicroBatcher} does: one model thread takes up to {@code --rows}
 *       waiting requests (waiting up to {@code --wait-ms} for more while idle), answers them as one
 *       batch run to the batch's largest budget, and completes them all when the batch ends;
 *       arrivals during a batch wait for the next one.
 *   <li><b>continuous</b>: {@link LlavaChatModel#openContinuous} with {@code --rows} rows: each
 *       request joins the running batch at the next step and completes when its own tokens are done.
 * </ul>
 * Prints, per arrival rate, useful new tokens/s (each request's own budget, from the first arrival to
 * the last answer) and p50/p99 latency (arrival to answer).
 *
 * <pre>
 * mvn -B -o -q -pl models test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.vlmtagger.models.bench.ContinuousBatchingBenchmark \
 *     -Dexec.args="--rates 10,40,80 --requests 150 --tokens 4,32 --rows 8 --threads 2"
 * </pre>
 *
 * {@code --checkpoint DIR}: any LLaVA checkpoint; default the random tiny LLaVA of the parity
 * fixtures (eos is rare there, so requests run to their budgets).
 */
public final class ContinuousBatchingBenchmark {
    private ContinuousBatchingBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path checkpoint = null;
        double[] rates = {10, 40, 80};
        int requests = 150;
        int minTokens = 4;
        int maxTokens = 32;
        int rows = 8;
        int threads = 2;
        long waitMs = 20;
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--checkpoint" -> checkpoint = Path.of(value);
                case "--rates" -> rates = Arrays.stream(value.split(",")).mapToDouble(Double::parseDouble).toArray();
                case "--requests" -> requests = Integer.parseInt(value);
                case "--tokens" -> {
                    minTokens = Integer.parseInt(value.split(",")[0]);
                    maxTokens = Integer.parseInt(value.split(",")[1]);
                }
                case "--rows" -> rows = Integer.parseInt(value);
                case "--threads" -> threads = Integer.parseInt(value);
                case "--wait-ms" -> waitMs = Long.parseLong(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --checkpoint --rates --requests --tokens MIN,MAX --rows --threads --wait-ms");
            }
        }
        System.setProperty(EngineThreads.NUM_THREADS, Integer.toString(threads));
        System.setProperty(EngineThreads.NUM_INTEROP_THREADS, "1");
        System.setProperty("ai.djl.offline", "true");
        if (checkpoint == null) {
            checkpoint = FixtureCheckpoints.completeCheckpoint(FixtureCheckpoints.LLAVA_LLAMA_TINY,
                    Files.createTempDirectory("bench-llava").resolve("llava"));
        }
        try (LlavaChatModel chat = LlavaChatModel.builder().setCheckpoint(checkpoint)
                .optRegistry(new SharedModelRegistry()).build()) {
            System.out.printf(Locale.ROOT, "%s; %d requests per rate, %d-%d new tokens each, %d rows, %d intra-op threads,"
                    + " static batch wait %d ms; load %s%n", chat.info(), requests, minTokens, maxTokens, rows, threads,
                    waitMs, Files.readString(Path.of("/proc/loadavg")).trim());
            Workload warm = Workload.poisson(chat, 40, 100, minTokens, maxTokens, new Random(1));
            runStatic(chat, warm, rows, waitMs); // warm-up: JIT, allocator
            runContinuous(chat, warm, rows);
            System.out.println("| arrivals/s | mode | new tokens/s | p50 latency ms | p99 latency ms | wall s |");
            System.out.println("|-----------:|------|-------------:|---------------:|---------------:|-------:|");
            for (double rate : rates) {
                Workload w = Workload.poisson(chat, requests, rate, minTokens, maxTokens, new Random(7));
                print(rate, "static", runStatic(chat, w, rows, waitMs));
                print(rate, "continuous", runContinuous(chat, w, rows));
            }
        }
    }

    private static void print(double rate, String mode, Result r) {
        System.out.printf(Locale.ROOT, "| %.0f | %s | %.0f | %.0f | %.0f | %.1f |%n", rate, mode, r.tokens / r.wallS,
                r.percentile(0.50), r.percentile(0.99), r.wallS);
    }

    /** Requests with arrival offsets (ns from the start) and their own token budgets. */
    record Workload(List<ChatRequest> requests, long[] arrivalNanos, int[] budgets) {
        static Workload poisson(LlavaChatModel chat, int n, double ratePerS, int minTokens, int maxTokens, Random random)
                throws Exception {
            List<ChatRequest> requests = new ArrayList<>();
            long[] at = new long[n];
            int[] budgets = new int[n];
            String[] questions = {"what is in the image ?", "what color ?", "describe this", "what is it ?"};
            long t = 0;
            for (int i = 0; i < n; i++) {
                t += (long) (-Math.log(1 - random.nextDouble()) / ratePerS * 1e9);
                at[i] = t;
                budgets[i] = minTokens + random.nextInt(maxTokens - minTokens + 1);
                requests.add(new ChatRequest(image(chat, random), List.of(), questions[i % questions.length]));
            }
            return new Workload(requests, at, budgets);
        }
    }

    record Result(double wallS, long tokens, double[] latenciesMs) {
        double percentile(double p) {
            double[] sorted = latenciesMs.clone();
            Arrays.sort(sorted);
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
        }
    }

    /** Arrivals in real time; each request's answer time is filled in by the mode under test. */
    private interface Arrival {
        void arrive(int index, long nanos) throws Exception;
    }

    private static long replay(Workload w, Arrival arrival) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < w.arrivalNanos.length; i++) {
            long due = start + w.arrivalNanos[i];
            long now;
            while ((now = System.nanoTime()) < due) {
                TimeUnit.NANOSECONDS.sleep(Math.min(due - now, 1_000_000));
            }
            arrival.arrive(i, start + w.arrivalNanos[i]);
        }
        return start;
    }

    private static Result runStatic(LlavaChatModel chat, Workload w, int rows, long waitMs) throws Exception {
        int n = w.budgets.length;
        long[] arrived = new long[n];
        long[] done = new long[n];
        long[] tokens = new long[n];
        BlockingQueue<Integer> queue = new LinkedBlockingQueue<>();
        Thread model = new Thread(() -> {
            int answered = 0;
            try {
                while (answered < n) {
                    List<Integer> batch = new ArrayList<>();
                    batch.add(queue.take());
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
                    while (batch.size() < rows) {
                        Integer next = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                        if (next == null) {
                            break;
                        }
                        batch.add(next);
                    }
                    int budget = batch.stream().mapToInt(i -> w.budgets[i]).max().orElseThrow();
                    List<ChatRequest> requests = batch.stream().map(w.requests::get).toList();
                    List<GenerationResult> out = chat.answer(requests, GenerationOptions.greedy(budget));
                    long end = System.nanoTime();
                    for (int k = 0; k < batch.size(); k++) {
                        int i = batch.get(k);
                        tokens[i] = Math.min(out.get(k).newTokens(), w.budgets[i]); // only what it asked for counts
                        done[i] = end;
                    }
                    answered += batch.size();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "static-model");
        model.start();
        long start = replay(w, (i, at) -> {
            arrived[i] = at;
            queue.add(i);
        });
        model.join();
        return result(start, arrived, done, tokens);
    }

    private static Result runContinuous(LlavaChatModel chat, Workload w, int rows) throws Exception {
        int n = w.budgets.length;
        long[] arrived = new long[n];
        long[] done = new long[n];
        long[] tokens = new long[n];
        List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
        long start;
        try (ContinuousChat loop = chat.openContinuous(rows, n).orElseThrow()) {
            start = replay(w, (i, at) -> {
                arrived[i] = at;
                futures.add(loop.submit(w.requests.get(i), GenerationOptions.greedy(w.budgets[i]))
                        .whenComplete((r, e) -> {
                            done[i] = System.nanoTime();
                            tokens[i] = r == null ? 0 : r.newTokens();
                        }));
            });
            for (CompletableFuture<GenerationResult> f : futures) {
                f.get(10, TimeUnit.MINUTES);
            }
        }
        return result(start, arrived, done, tokens);
    }

    private static Result result(long start, long[] arrived, long[] done, long[] tokens) {
        double[] latency = new double[arrived.length];
        long last = 0;
        long total = 0;
        for (int i = 0; i < arrived.length; i++) {
            latency[i] = (done[i] - arrived[i]) / 1e6;
            last = Math.max(last, done[i]);
            total += tokens[i];
        }
        return new Result((last - start) / 1e9, total, latency);
    }

    /** A random-noise PNG through the model's own preprocessing (any checkpoint's image size). */
    private static PixelValues image(LlavaChatModel chat, Random random) throws Exception {
        BufferedImage img = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 48; x++) {
                img.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        return chat.preprocess(png.toByteArray());
    }
}
