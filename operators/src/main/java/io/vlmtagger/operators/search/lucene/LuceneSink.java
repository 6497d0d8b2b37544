package io.vlmtagger.operators.search.lucene;

import io.vlmtagger.operators.search.IndexDocumentEmitter;
import io.vlmtagger.schemas.EnrichedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The embedded search backend (the default): a Lucene index on local disk, written by the job and
 * queried by {@link SearchCommand} and {@link SearchHttpServer}.
 *
 * <pre>{@code
 * stream.sinkTo(LuceneSink.builder().setIndexDirectory("data/search-index").build())
 *       .setParallelism(1)
 *       .name("search-index");
 * }</pre>
 *
 * <p>Delivery: each document is an upsert keyed by the event id, and the writer commits on every
 * {@code flush()}, which Flink calls before each checkpoint barrier and at end of input. A failure
 * discards what was written since the last commit and the source replays it; documents committed
 * and replayed again are replaced, not duplicated. So the index holds each event exactly once.
 *
 * <p>Parallelism must be 1. One directory, one writer: Lucene allows a single {@code IndexWriter}
 * per directory ({@code write.lock}), and separate directories per subtask would break the
 * exactly-once property, because a replayed event may reach a different subtask than the first
 * time (round-robin routing) and leave a copy in two shards. Writing documents is far cheaper than
 * inferring them, so one writer is not the bottleneck. The writer refuses to start otherwise.
 */
public final class LuceneSink implements Sink<EnrichedImage> {
    private static final long serialVersionUID = 1L;

    /** Where the index lives when nothing else is configured (relative to the working directory). */
    public static final String DEFAULT_INDEX_DIRECTORY = "data/search-index";

    private final String indexDirectory;
    private final IndexDocumentEmitter emitter;
    private final Duration lockTimeout;

    LuceneSink(String indexDirectory, IndexDocumentEmitter emitter, Duration lockTimeout) {
        this.indexDirectory = Objects.requireNonNull(indexDirectory);
        this.emitter = Objects.requireNonNull(emitter);
        this.lockTimeout = Objects.requireNonNull(lockTimeout);
    }

    public static LuceneSinkBuilder builder() {
        return new LuceneSinkBuilder();
    }

    @Override
    public SinkWriter<EnrichedImage> createWriter(WriterInitContext context) throws IOException {
        int parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        if (parallelism != 1) {
            throw new IllegalStateException(
                    "LuceneSink needs parallelism 1 (one writer per index directory), but runs with "
                            + parallelism + ": use stream.sinkTo(luceneSink).setParallelism(1)");
        }
        return new LuceneSinkWriter(indexPath(), emitter, lockTimeout, context.metricGroup());
    }

    public Path indexPath() {
        return Paths.get(indexDirectory).toAbsolutePath();
    }

    @Override
    public String toString() {
        return "LuceneSink[" + indexDirectory + "]";
    }
}
