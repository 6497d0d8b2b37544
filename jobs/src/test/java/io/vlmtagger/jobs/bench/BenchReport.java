package io.vlmtagger.jobs.bench;

import io.vlmtagger.models.runtime.EngineThreads;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The measured figures and the table printed at the end. */
final class BenchReport {
    BenchOptions options;
    EngineThreads.Settings threads;
    Machine before;
    Machine after;
    double wallSeconds;
    Rate raw;
    List<Rate> rawRuns = List.of();
    Rate pipeline;
    List<Rate> pipelineRuns = List.of();
    /** Per round: pipeline run i over the mean of the raw runs before and after it. */
    List<Rate> p1Rounds = List.of();
    Rate naive;
    /** The model alone at batch 1 on the naive job's images: what the naive job could reach. */
    Rate rawBatch1;
    Rate noop;
    Rate dedupOff;
    Rate dedupOn;
    long dedupRowsOff;
    long dedupRowsOn;
    long memoryOneSlotBytes;
    long memoryTwoSlotsBytes;
    long secondHandleBytes;
    int deviceConcurrency;
    double[] latencyModelMs = new double[0];
    double latencyModelRate;
    double[] latencyNoopMs = new double[0];
    double latencyNoopRate;

    /**
     * A rate two ways: per wall-clock second, and per second of the process's CPU time divided by
     * the cores (what the wall-clock rate would be with the machine to itself, as far as the work
     * scales; it leaves out time the process spends idle, e.g. waiting for a checkpoint).
     */
    record Rate(double wall, double perCpu) {
        static Rate of(long count, long fromNanos, long toNanos, CpuClock cpu) {
            double cpuSeconds = cpu.cpuSecondsBetween(fromNanos, toNanos);
            int cores = Runtime.getRuntime().availableProcessors();
            return new Rate(count / ((toNanos - fromNanos) / 1e9), count / (cpuSeconds / cores));
        }

        Rate over(Rate other) {
            return new Rate(wall / other.wall, perCpu / other.perCpu);
        }
    }

    /** Load average and cores, read from {@code /proc/loadavg}. */
    record Machine(String loadAverage, int cores) {
        static Machine now() {
            String load;
            try {
                String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
                load = f[0] + "/" + f[1] + "/" + f[2];
            } catch (IOException | RuntimeException e) {
                load = "n/a";
            }
            return new Machine(load, Runtime.getRuntime().availableProcessors());
        }
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    Rate p1() {
        return p1Rounds.isEmpty() ? pipeline.over(raw) : median(p1Rounds);
    }

    private static List<String> pairs(List<Rate> rates, String format) {
        return rates.stream().map(r -> String.format(Locale.ROOT, format + "/" + format, r.wall(), r.perCpu())).toList();
    }

    /** Wall and per-CPU medians, each on its own (the upper one of an even count). */
    static Rate median(List<Rate> rates) {
        double[] wall = rates.stream().mapToDouble(Rate::wall).sorted().toArray();
        double[] perCpu = rates.stream().mapToDouble(Rate::perCpu).sorted().toArray();
        return new Rate(wall[wall.length / 2], perCpu[perCpu.length / 2]);
    }

    Rate p2() {
        return pipeline.over(naive);
    }

    double p5() {
        return (double) memoryTwoSlotsBytes / memoryOneSlotBytes;
    }

    void print(PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "Machine: %d cores, load average (1/5/15 min) %s before, %s after; %.0f s wall;"
                        + " PyTorch %d intra-op / %d inter-op threads%n",
                before.cores(), before.loadAverage(), after.loadAverage(), wallSeconds,
                threads.intraOpThreads(), threads.interOpThreads());
        out.printf(Locale.ROOT, "Model: random small BLIP-2, %s %s, %d new tokens, batch %d, %dx%d PNG inputs;"
                        + " checkpoints every %d ms%n", options.dtype, options.device, options.tokens, options.batch,
                options.imageSize, options.imageSize, options.checkpointMs);
        out.println();
        out.println("| figure | wall clock | per CPU-second | goal | detail |");
        out.println("|---|---:|---:|---:|---|");
        if (pipeline != null) {
            out.printf(Locale.ROOT, "| P1 pipeline / raw model | %.2f | %.2f | >= 0.95 | median of %d rounds %s (pipeline over"
                            + " the mean of the raw runs before and after it); pipeline wall/CPU img/s %s (%d images,"
                            + " parallelism 1); raw batched %s |%n",
                    p1().wall(), p1().perCpu(), p1Rounds.size(), pairs(p1Rounds, "%.2f"), pairs(pipelineRuns, "%.3f"),
                    options.images, pairs(rawRuns, "%.3f"));
        }
        if (naive != null && pipeline != null) {
            out.printf(Locale.ROOT, "| P2 speedup over naive map() | %.2fx | %.2fx | >= 3x | naive %.3f img/s wall, %.3f per CPU"
                            + " (%d images) |%n", p2().wall(), p2().perCpu(), naive.wall(), naive.perCpu(), options.naiveImages);
        }
        if (rawBatch1 != null && raw != null) {
            out.printf(Locale.ROOT, "| P2 ceiling: raw batch %d / raw batch 1 | %.2fx | %.2fx | - | the model alone: batch %d"
                            + " %.3f img/s wall, %.3f per CPU; batch 1 %.3f / %.3f (%d images); with a naive job as fast"
                            + " as batch 1, P2 = P1 x this |%n",
                    options.batch, raw.wall() / rawBatch1.wall(), raw.perCpu() / rawBatch1.perCpu(), options.batch,
                    raw.wall(), raw.perCpu(), rawBatch1.wall(), rawBatch1.perCpu(), options.naiveImages);
        }
        if (dedupOff != null && dedupOn != null) {
            out.printf(Locale.ROOT, "| Dedup: repeated images, cache on / off | %.2fx | %.2fx | - | %d events of %d distinct"
                    + " images, model %d ms per image; off: %.0f ev/s, %d model rows; on: %.0f ev/s, %d model rows |%n",
                    dedupOn.wall() / dedupOff.wall(), dedupOn.perCpu() / dedupOff.perCpu(), options.dedupEvents,
                    options.dedupDistinct, options.dedupModelMs, dedupOff.wall(), dedupRowsOff, dedupOn.wall(),
                    dedupRowsOn);
        }
        if (noop != null) {
            out.printf(Locale.ROOT, "| P3 no-op capacity, exactly-once | %.0f ev/s | %.0f ev/s | >= 20000 | %d events"
                    + " after %d warm-up events, parallelism 2, batch %d |%n", noop.wall(), noop.perCpu(),
                    options.noopEvents, options.noopWarmup, options.noopBatch);
        }
        if (memoryOneSlotBytes > 0) {
            out.printf(Locale.ROOT, "| P5 memory, 2 slots / 1 model | %.2fx | | <= 1.1x | one slot +%d MB RSS, two slots"
                            + " +%d MB (slot handles +%d MB; inference.device-concurrency %d) |%n", p5(),
                    memoryOneSlotBytes >> 20, memoryTwoSlotsBytes >> 20, secondHandleBytes >> 20, deviceConcurrency);
        }
        if (latencyModelMs.length > 0) {
            out.printf(Locale.ROOT, "| P6 latency, model, 50%% load | p50 %.0f ms, p99 %.0f ms | | - | %d events at %.3f img/s |%n",
                    percentile(latencyModelMs, 50), percentile(latencyModelMs, 99), latencyModelMs.length, latencyModelRate);
        }
        if (latencyNoopMs.length > 0) {
            out.printf(Locale.ROOT, "| P6 latency, no-op, 50%% load | p50 %.0f ms, p99 %.0f ms | | - | %d events at %.0f ev/s |%n",
                    percentile(latencyNoopMs, 50), percentile(latencyNoopMs, 99), latencyNoopMs.length, latencyNoopRate);
        }
        out.println();
    }
}
