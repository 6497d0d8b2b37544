package io.vlmtagger.operators.search.lucene;

import io.vlmtagger.operators.search.SearchTestData;
import io.vlmtagger.schemas.EnrichedImage;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * The Lucene sink's writer alone, as P3 drives it: documents shaped like the no-op job's (random
 * UUID ids, an {@code inline:<sha256>} image ref, a fixed caption and its tags) and a commit every
 * {@code perCommit} documents (one checkpoint). Prints the process CPU per document, merges
 * included (they run on Lucene's merge thread; the writer is closed, i.e. merges finished, before
 * the clock stops). A main, not a test: {@code java -cp ... LuceneWriterBenchmark [docs] [perCommit] [rounds]}.
 */
public final class LuceneWriterBenchmark {
    private LuceneWriterBenchmark() {}

    public static void main(String[] args) throws Exception {
        int docs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int perCommit = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<EnrichedImage> images = images(docs);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int round = 0; round < rounds; round++) {
            Path dir = Files.createTempDirectory("lucene-writer-bench");
            long cpu0 = os.getProcessCpuTime();
            long wall0 = System.nanoTime();
            try (LuceneSinkWriter writer = LuceneIndexFixture.openWriter(dir)) {
                for (int i = 0; i < docs; i++) {
                    writer.write(images.get(i), null);
                    if ((i + 1) % perCommit == 0) {
                        writer.flush(false);
                    }
                }
                writer.flush(true);
            }
            double cpuUs = (os.getProcessCpuTime() - cpu0) / 1e3 / docs;
            double wallUs = (System.nanoTime() - wall0) / 1e3 / docs;
            System.out.printf("round %d: %d docs, commit every %d: %.1f us CPU/doc, %.1f us wall/doc%n",
                    round, docs, perCommit, cpuUs, wallUs);
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static List<EnrichedImage> images(int n) {
        Random random = new Random(42);
        HexFormat hex = HexFormat.of();
        List<EnrichedImage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] sha = new byte[32];
            random.nextBytes(sha);
            String sha256 = hex.formatHex(sha);
            out.add(EnrichedImage.newBuilder(
                            SearchTestData.image(new UUID(random.nextLong(), random.nextLong()).toString(),
                                    "a photo of a red square on a table", Map.of(), "red", "square", "table"))
                    .setImageRef("inline:" + sha256)
                    .setImageSha256(sha256)
                    .build());
        }
        return out;
    }
}
