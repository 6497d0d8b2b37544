package io.vlmtagger.operators.search.lucene;

import io.vlmtagger.operators.search.IndexDocumentEmitter;
import io.vlmtagger.operators.search.SearchDocument;
import io.vlmtagger.schemas.EnrichedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upserts each document by event id and commits on {@link #flush} (before checkpoint barriers and
 * at end of input). Closing without a flush rolls back what was written since the last commit: the
 * source replays it after a restart. Runs on the task thread only.
 */
final class LuceneSinkWriter implements SinkWriter<EnrichedImage> {
    private static final Logger LOG = LoggerFactory.getLogger(LuceneSinkWriter.class);

    /** Large enough that documents are flushed by the commit at each checkpoint, not in between. */
    static final double RAM_BUFFER_MB = 64;

    private final IndexDocumentEmitter emitter;
    private final ReusableLuceneDocument document = new ReusableLuceneDocument();
    private final Directory directory;
    private final IndexWriter writer;
    private final Counter itemsIndexed;
    private volatile long lastCommitMs;
    private long pending;

    LuceneSinkWriter(Path path, IndexDocumentEmitter emitter, Duration lockTimeout, MetricGroup metrics)
            throws IOException {
        this.emitter = emitter;
        Files.createDirectories(path);
        this.directory = FSDirectory.open(path);
        this.writer = openWriter(directory, path, lockTimeout);
        this.itemsIndexed = metrics.counter("items_indexed");
        metrics.gauge("commit_latency_ms", () -> lastCommitMs);
        LOG.info("Lucene search index at {} opened with {} documents", path, writer.getDocStats().numDocs);
    }

    private static IndexWriter openWriter(Directory directory, Path path, Duration lockTimeout) throws IOException {
        long deadline = System.nanoTime() + lockTimeout.toNanos();
        while (true) {
            // the merge policy stays Lucene's default (tiered, 10 per tier): 20 per tier (fewer
            // merges) measured slower in P3 over 300,000 events (8,700 against 13,200 events/s, one
            // run each), likely because every upsert's delete term is looked up in every segment
            ConcurrentMergeScheduler mergeScheduler = new ConcurrentMergeScheduler();
            // one background merge at a time (the task thread and the rest of the job need the
            // cores), and room for 5 more queued before Lucene stalls the indexing (task) thread
            mergeScheduler.setMaxMergesAndThreads(6, 1);
            IndexWriterConfig config = new IndexWriterConfig(LuceneDocuments.analyzer())
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                    .setCommitOnClose(false)
                    // a commit per checkpoint flushes a small segment each time: writing it as plain
                    // files skips copying it once more into a compound file (merges still may)
                    .setUseCompoundFile(false)
                    .setRAMBufferSizeMB(RAM_BUFFER_MB)
                    .setMergeScheduler(mergeScheduler)
                    // the commit runs on the task thread before the barrier: never wait for merges there
                    .setMaxFullFlushMergeWaitMillis(0);
            try {
                return new IndexWriter(directory, config);
            } catch (LockObtainFailedException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("The Lucene index " + path + " is locked by another writer (another"
                            + " job, or a previous attempt that did not close): stop it or use another"
                            + " directory", e);
                }
                sleepQuietly();
            }
        }
    }

    private static void sleepQuietly() throws IOException {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for the Lucene write lock", e);
        }
    }

    @Override
    public void write(EnrichedImage element, Context context) throws IOException {
        SearchDocument doc = emitter.toDocument(element);
        writer.updateDocument(LuceneDocuments.idTerm(doc.id()), document.fill(doc));
        pending++;
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        if (!writer.hasUncommittedChanges()) {
            return;
        }
        long start = System.nanoTime();
        writer.commit();
        lastCommitMs = (System.nanoTime() - start) / 1_000_000;
        itemsIndexed.inc(pending);
        pending = 0;
    }

    @Override
    public void close() throws Exception {
        try {
            writer.close(); // commitOnClose=false: rolls back anything not flushed
        } finally {
            directory.close();
        }
    }
}
