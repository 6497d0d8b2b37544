package io.vlmtagger.operators.search.lucene;

import io.vlmtagger.operators.search.IndexDocumentEmitter;
import java.nio.file.Path;
import java.time.Duration;

/** Builds a {@link LuceneSink}: {@code setIndexDirectory} is required, the rest optional. */
public final class LuceneSinkBuilder {
    private String indexDirectory;
    private IndexDocumentEmitter emitter = new IndexDocumentEmitter();
    private Duration lockTimeout = Duration.ofSeconds(30);

    LuceneSinkBuilder() {}

    /** The index directory on the task manager's local disk; created if absent. */
    public LuceneSinkBuilder setIndexDirectory(String directory) {
        this.indexDirectory = directory;
        return this;
    }

    public LuceneSinkBuilder setIndexDirectory(Path directory) {
        this.indexDirectory = directory == null ? null : directory.toString();
        return this;
    }

    /** How EnrichedImages become documents; the shared default unless a test needs another. */
    public LuceneSinkBuilder optEmitter(IndexDocumentEmitter emitter) {
        this.emitter = emitter;
        return this;
    }

    /**
     * How long a restarted writer waits for the previous attempt in the same JVM to release the
     * index's write lock (default 30 s).
     */
    public LuceneSinkBuilder optLockTimeout(Duration timeout) {
        this.lockTimeout = timeout;
        return this;
    }

    public LuceneSink build() {
        if (indexDirectory == null || indexDirectory.isBlank()) {
            throw new IllegalArgumentException(
                    "LuceneSink needs an index directory: call setIndexDirectory(...), e.g. "
                            + LuceneSink.DEFAULT_INDEX_DIRECTORY);
        }
        if (emitter == null) {
            throw new IllegalArgumentException("optEmitter(null): leave it unset to use the default emitter");
        }
        if (lockTimeout == null || lockTimeout.isNegative()) {
            throw new IllegalArgumentException("optLockTimeout must be zero or positive, got " + lockTimeout);
        }
        return new LuceneSink(indexDirectory, emitter, lockTimeout);
    }
}
