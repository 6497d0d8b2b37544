package io.vlmtagger.jobs.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The soak's tables and verdict, computed from its samples: a row per minute, least-squares slopes
 * (per minute) over the second half of the run (the first half is warm-up: JIT, class loading, the
 * first Lucene merges), and "flat" / "bounded" against the thresholds below.
 */
final class SoakReport {
    /** Heap after a full GC is flat when it grows less than this over the second half. */
    static final double FLAT_HEAP_MB_PER_MIN = 1.0;
    /** The process's RSS is flat when it grows less than this over the second half. */
    static final double FLAT_RSS_MB_PER_MIN = 2.0;
    /** Queues are bounded when the second half's deepest point is within this many checkpoint intervals of input. */
    static final int BOUNDED_DEPTH_CHECKPOINTS = 3;

    private static final double MB = 1 << 20;
    private static final String HEADER = "%5s %8s %8s %6s %9s %6s %8s %8s %8s %8s %7s %7s %7s %7s %7s %7s %7s %9s %8s%n";
    private static final String ROW = "%5s %8d %8d %6d %9d %6.1f %8.1f %8.1f %8.1f %8.1f %7.1f %7.1f %7.1f %7d %7.1f %7.1f %7.1f %9.1f %8.1f%n";

    private final List<SoakRow> rows;
    private final double durationSeconds;
    private final int rate;
    private final double checkpointSeconds;

    SoakReport(List<SoakRow> rows, double durationSeconds, int rate, double checkpointSeconds) {
        this.rows = rows;
        this.durationSeconds = durationSeconds;
        this.rate = rate;
        this.checkpointSeconds = checkpointSeconds;
    }

    static void printHeader(PrintStream out) {
        out.printf(HEADER, "t", "produced", "out", "dead", "depth_max", "out_ps", "heap_gc", "heap_com", "heap_rss", "non_heap", "meta",
                "direct", "mapped", "threads", "rss", "anon", "file", "broker_rss", "index");
    }

    /** One table line for {@code row}; {@code previous} (or null) gives the rate and the depth maximum's window. */
    static void printRow(PrintStream out, String label, SoakRow row, SoakRow previous, long maxDepth) {
        double dt = previous == null ? row.seconds() : row.seconds() - previous.seconds();
        long dOut = previous == null ? row.out() : row.out() - previous.out();
        MemorySample m = row.jvm();
        out.printf(ROW, label, row.produced(), row.out(), row.dead(), maxDepth, dOut / dt,
                m.heapAfterGc() / MB, m.heapCommitted() / MB, m.heapResidentKb() / 1024.0, m.nonHeap() / MB, m.metaspace() / MB, m.direct() / MB, m.mapped() / MB,
                m.threads(), m.process().rssKb() / 1024.0, m.process().anonKb() / 1024.0, m.process().fileKb() / 1024.0,
                row.broker().rssKb() / 1024.0, row.indexBytes() / MB);
    }

    /** The per-minute table: the sample at (or first after) each whole minute, depth_max over that minute. */
    void printMinutes(PrintStream out) {
        out.println("per minute (memory columns in MB; heap_gc = heap used after a full GC; heap_com = heap committed; heap_rss = resident part of the heap's address range (in rss); depth_max = deepest"
                + " produced-but-not-out over the minute, read every second; out_ps = records out per second over the minute):");
        printHeader(out);
        SoakRow previous = null;
        long maxDepth = 0;
        int minute = 1;
        for (SoakRow r : rows) {
            maxDepth = Math.max(maxDepth, r.maxDepth());
            if (r.seconds() + 1 >= minute * 60.0) {
                printRow(out, minute + "m", r, previous, maxDepth);
                previous = r;
                maxDepth = 0;
                minute = (int) Math.floor((r.seconds() + 1) / 60.0) + 1;
            }
        }
    }

    /**
     * Slopes over the second half and the verdict; true when the heap after GC is flat, queues are
     * bounded, threads do not grow, and the RSS is flat or grows only inside the heap's committed
     * pages (RSS outside the heap flat, heap resident at most the committed heap).
     */
    boolean printVerdict(PrintStream out) {
        List<SoakRow> late = new ArrayList<>();
        List<SoakRow> early = new ArrayList<>();
        for (SoakRow r : rows) {
            (r.seconds() >= durationSeconds / 2 ? late : early).add(r);
        }
        if (late.size() < 3) {
            out.println("verdict: too few samples in the second half (" + late.size() + ") to fit a slope");
            return false;
        }
        double heap = slope(late, r -> r.jvm().heapAfterGc() / MB);
        double rss = slope(late, r -> r.jvm().process().rssKb() / 1024.0);
        out.printf("second half (t >= %.0f s, %d samples), least-squares slopes per minute:%n",
                late.get(0).seconds(), late.size());
        out.printf("  heap after GC %+.2f MB/min (committed %+.2f), RSS %+.2f MB/min (anon %+.2f, file %+.2f), non-heap %+.2f MB/min,"
                        + " direct %+.2f MB/min, mapped %+.2f MB/min%n",
                heap, slope(late, r -> r.jvm().heapCommitted() / MB), rss, slope(late, r -> r.jvm().process().anonKb() / 1024.0),
                slope(late, r -> r.jvm().process().fileKb() / 1024.0), slope(late, r -> r.jvm().nonHeap() / MB),
                slope(late, r -> r.jvm().direct() / MB), slope(late, r -> r.jvm().mapped() / MB));
        double heapRss = slope(late, r -> r.jvm().heapResidentKb() / 1024.0);
        double outside = slope(late, r -> (r.jvm().process().rssKb() - r.jvm().heapResidentKb()) / 1024.0);
        out.printf("  RSS of the heap's address range %+.2f MB/min, RSS outside the heap %+.2f MB/min%n", heapRss, outside);
        out.printf("  threads %+.2f /min, broker child RSS %+.2f MB/min, Lucene index on disk %+.2f MB/min, depth %+.2f events/min%n",
                slope(late, r -> r.jvm().threads()), slope(late, r -> r.broker().rssKb() / 1024.0),
                slope(late, r -> r.indexBytes() / MB), slope(late, r -> r.depth()));
        long earlyMax = early.stream().mapToLong(SoakRow::maxDepth).max().orElse(0);
        long lateMax = late.stream().mapToLong(SoakRow::maxDepth).max().orElse(0);
        long bound = Math.round(BOUNDED_DEPTH_CHECKPOINTS * rate * checkpointSeconds);
        int threadsStart = late.get(0).jvm().threads();
        int threadsEnd = late.get(late.size() - 1).jvm().threads();
        boolean heapFlat = heap < FLAT_HEAP_MB_PER_MIN;
        boolean rssFlat = rss < FLAT_RSS_MB_PER_MIN;
        boolean bounded = lateMax <= bound;
        boolean threadsFlat = threadsEnd <= threadsStart;
        boolean outsideFlat = outside < FLAT_RSS_MB_PER_MIN;
        SoakRow last = late.get(late.size() - 1);
        double heapRssEnd = last.jvm().heapResidentKb() / 1024.0;
        double committedEnd = last.jvm().heapCommitted() / MB;
        // heap pages touched for the first time add to RSS only up to the committed heap: bounded
        boolean rssBounded = rssFlat || (outsideFlat && heapRssEnd <= committedEnd + 1);
        out.printf("  depth max %d (first half) / %d (second half), bound %d = %d checkpoint intervals of input;"
                + " threads %d -> %d over the second half%n", earlyMax, lateMax, bound, BOUNDED_DEPTH_CHECKPOINTS,
                threadsStart, threadsEnd);
        out.printf("verdict: heap %s (%+.2f MB/min, flat below %.1f), RSS %s (%+.2f MB/min, flat below %.1f),"
                        + " RSS outside the heap %s (%+.2f MB/min; heap resident %.1f of %.1f MB committed), queues %s, threads %s%n",
                heapFlat ? "FLAT" : "GROWING", heap, FLAT_HEAP_MB_PER_MIN, rssFlat ? "FLAT" : "GROWING", rss,
                FLAT_RSS_MB_PER_MIN, outsideFlat ? "FLAT" : "GROWING", outside, heapRssEnd, committedEnd,
                bounded ? "BOUNDED" : "UNBOUNDED", threadsFlat ? "FLAT" : "GROWING");
        if (!rssFlat && rssBounded) {
            out.println("  RSS grows only by heap pages touched for the first time, which the committed heap bounds");
        }
        return heapFlat && rssBounded && bounded && threadsFlat;
    }

    static void printGrowers(PrintStream out, String from, ClassHistogram before, String to, ClassHistogram after, int limit) {
        out.printf("class histogram (live heap) %s %.1f MB -> %s %.1f MB; top growers by bytes:%n",
                from, before.totalBytes() / MB, to, after.totalBytes() / MB);
        out.printf("  %10s %17s %15s  %s%n", "+KB", "instances", "KB", "class");
        for (ClassHistogram.Growth g : before.topGrowers(after, limit)) {
            out.printf("  %+10.1f %8d->%-8d %7.0f->%-7.0f  %s%n", g.bytes() / 1024.0, g.before().instances(),
                    g.after().instances(), g.before().bytes() / 1024.0, g.after().bytes() / 1024.0, g.className());
        }
    }

    private static double slope(List<SoakRow> rows, ToDoubleFunction<SoakRow> y) {
        double[] xs = rows.stream().mapToDouble(r -> r.seconds() / 60.0).toArray();
        double[] ys = rows.stream().mapToDouble(y).toArray();
        return LeastSquares.slope(xs, ys);
    }
}
