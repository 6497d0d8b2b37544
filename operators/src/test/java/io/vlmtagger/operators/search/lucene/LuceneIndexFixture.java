package io.vlmtagger.operators.search.lucene;

import io.vlmtagger.operators.search.IndexDocumentEmitter;
import io.vlmtagger.schemas.EnrichedImage;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/** Writes images into a Lucene index directory through the sink's writer, for searcher tests. */
final class LuceneIndexFixture {
    private LuceneIndexFixture() {}

    static LuceneSinkWriter openWriter(Path dir) throws Exception {
        return new LuceneSinkWriter(dir, new IndexDocumentEmitter(), Duration.ofSeconds(1), new UnregisteredMetricsGroup());
    }

    static void write(Path dir, EnrichedImage... images) throws Exception {
        try (LuceneSinkWriter writer = openWriter(dir)) {
            for (EnrichedImage image : images) {
                writer.write(image, null);
            }
            writer.flush(true);
        }
    }
}
