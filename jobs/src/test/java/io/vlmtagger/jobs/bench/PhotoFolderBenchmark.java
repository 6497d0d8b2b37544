package io.vlmtagger.jobs.bench;

import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.local.LocalRunner;
import io.vlmtagger.jobs.local.RunReport;
import io.vlmtagger.models.testutil.PhotoFiles;
import io.vlmtagger.models.testutil.PhotoFiles.Kind;
import io.vlmtagger.schemas.DeadLetter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Issue 16's "done when": the local run on a folder of 130+ photos (a mix of formats, up to ~10 MB
 * each) ends with every image captioned or dead-lettered, exit 0, and the summary lists them. A
 * main, not a CI test (generating and captioning 130 multi-MB photos takes minutes on 2 cores):
 *
 * <pre>
 * mvn -B -o -q -pl jobs -am test-compile exec:exec -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.vlmtagger.jobs.bench.PhotoFolderBenchmark -Dargs="--count 130 --dir work-dir/photos"
 * </pre>
 *
 * <p>{@code --dir} keeps the generated photos (a second run reuses them); every other argument goes
 * to the local runner as it is (e.g. {@code --blip2 /models/blip2}). Prints the runner's own output
 * and summary, then a table per format: files, MB, captioned, dead-lettered; exits as the runner
 * does (0 when every file has a caption or a dead letter).
 */
public final class PhotoFolderBenchmark {

    /** One photo to generate: its format, size and sensor noise. */
    record Planned(Kind kind, int width, int height, int noise) {}

    public static void main(String[] args) throws Exception {
        int count = 130;
        Path dir = Path.of("work-dir/photo-folder");
        List<String> runnerArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> runnerArgs.add(args[i]);
            }
        }
        long t0 = System.nanoTime();
        int generated = generate(dir, plan(count));
        System.out.printf(Locale.ROOT, "[bench] %d photos in %s (%d generated now, %.0f s)%n", count, dir.toAbsolutePath(),
                generated, (System.nanoTime() - t0) / 1e9);

        runnerArgs.addAll(List.of("--images", dir.toString()));
        if (!runnerArgs.contains("--local.timeout")) {
            runnerArgs.addAll(List.of("--local.timeout", "30 min"));
        }
        long t1 = System.nanoTime();
        RunReport report = LocalRunner.withCheckpoints(JobConfig.fromArgs(runnerArgs.toArray(new String[0]),
                JobConfig.LOCAL_ALIASES), System.out).run();
        double seconds = (System.nanoTime() - t1) / 1e9;
        printTable(dir, report, seconds);
        System.out.flush();
        System.exit(report.complete() ? 0 : 1);
    }

    /**
     * {@code count} photos cycling through a mix like a real folder's: mostly phone JPEGs of 5-7 MB,
     * some small JPEGs, PNG screenshots and scans, GIF, BMP, lossless WebP, TIFF of every kind, and
     * HEIC/AVIF from phones that nobody here reads. Every readable one is at most ~10 MB.
     */
    static List<Planned> plan(int count) {
        List<Planned> cycle = List.of(
                new Planned(Kind.JPEG, 4000, 3000, 45), new Planned(Kind.JPEG, 4032, 3024, 30),
                new Planned(Kind.JPEG, 1600, 1200, 10), new Planned(Kind.PNG, 2000, 1500, 10),
                new Planned(Kind.WEBP_LOSSLESS, 1800, 1350, 10), new Planned(Kind.JPEG, 3000, 4000, 20),
                new Planned(Kind.TIFF_LZW, 1600, 1200, 10), new Planned(Kind.GIF, 1600, 1200, 10),
                new Planned(Kind.JPEG, 640, 480, 5), new Planned(Kind.TIFF_16BIT, 1100, 800, 10),
                new Planned(Kind.HEIC, 4032, 3024, 0), new Planned(Kind.BMP, 2000, 1500, 10),
                new Planned(Kind.TIFF_DEFLATE, 1800, 1300, 10), new Planned(Kind.PNG, 1024, 768, 3),
                new Planned(Kind.TIFF_JPEG, 4000, 3000, 10), new Planned(Kind.TIFF_MULTIPAGE, 1600, 1200, 10),
                new Planned(Kind.WEBP_LOSSLESS, 800, 600, 10), new Planned(Kind.TIFF_CMYK, 1500, 1100, 10),
                new Planned(Kind.AVIF, 4000, 3000, 0), new Planned(Kind.JPEG, 4000, 3000, 20));
        List<Planned> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(cycle.get(i % cycle.size()));
        }
        return out;
    }

    /** Writes the photos not already in {@code dir} (two threads); returns how many it wrote. */
    static int generate(Path dir, List<Planned> plan) throws Exception {
        Files.createDirectories(dir);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Boolean>> done = new ArrayList<>();
            for (int i = 0; i < plan.size(); i++) {
                Planned p = plan.get(i);
                Path file = dir.resolve(String.format(Locale.ROOT, "photo-%03d-%s.%s", i,
                        p.kind().name().toLowerCase(Locale.ROOT), p.kind().extension()));
                long seed = i;
                done.add(pool.submit(() -> {
                    if (Files.exists(file)) {
                        return false;
                    }
                    byte[] bytes = PhotoFiles.encode(p.kind(), PhotoFiles.photo(p.width(), p.height(), seed, p.noise()));
                    Path partial = file.resolveSibling("." + file.getFileName() + ".part");
                    Files.write(partial, bytes);
                    Files.move(partial, file);
                    return true;
                }));
            }
            int written = 0;
            for (Future<Boolean> f : done) {
                written += f.get() ? 1 : 0;
            }
            return written;
        } finally {
            pool.shutdown();
        }
    }

    private static void printTable(Path dir, RunReport report, double seconds) {
        Map<String, int[]> byExtension = new TreeMap<>();
        Map<String, Long> bytes = new TreeMap<>();
        Map<String, String> extensionOf = new java.util.HashMap<>();
        report.images().forEach((id, img) -> {
            String name = img.name();
            String ext = name.substring(name.lastIndexOf('.') + 1);
            extensionOf.put(id, ext);
            byExtension.computeIfAbsent(ext, e -> new int[3])[0]++;
            bytes.merge(ext, size(img.file()), Long::sum);
        });
        report.captioned().forEach(e -> {
            String ext = e.getEventId() == null ? null : extensionOf.get(e.getEventId());
            if (ext != null) {
                byExtension.get(ext)[1]++;
            }
        });
        Map<String, Integer> reasons = new TreeMap<>();
        for (DeadLetter d : report.deadLetters()) {
            String ext = d.getEventId() == null ? null : extensionOf.get(d.getEventId());
            if (ext != null) {
                byExtension.get(ext)[2]++;
            }
            reasons.merge((ext == null ? "(no file)" : "." + ext) + " " + d.getStage() + "/" + d.getReason(), 1, Integer::sum);
        }
        System.out.println();
        System.out.println("[bench] photo folder " + dir.toAbsolutePath());
        System.out.println("format | files |    MB | captioned | dead-lettered");
        int[] total = new int[3];
        long totalBytes = 0;
        for (Map.Entry<String, int[]> e : byExtension.entrySet()) {
            int[] r = e.getValue();
            System.out.printf(Locale.ROOT, "%-6s | %5d | %5.0f | %9d | %13d%n", e.getKey(), r[0], bytes.get(e.getKey()) / 1e6,
                    r[1], r[2]);
            for (int i = 0; i < 3; i++) {
                total[i] += r[i];
            }
            totalBytes += bytes.get(e.getKey());
        }
        System.out.printf(Locale.ROOT, "total  | %5d | %5.0f | %9d | %13d%n", total[0], totalBytes / 1e6, total[1], total[2]);
        reasons.forEach((k, v) -> System.out.println("  dead letters " + k + ": " + v));
        System.out.printf(Locale.ROOT, "[bench] run %.0f s (broker, cluster, model load, %d files), complete: %s, exit code %d%n",
                seconds, total[0], report.complete(), report.complete() ? 0 : 1);
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private PhotoFolderBenchmark() {}
}
