package io.vlmtagger.operators.search.opensearch;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One pending index operation: the document id (the event id), its JSON source, and how many
 * times it was already sent. What the async sink buffers and stores in checkpoints.
 */
public final class BulkIndexEntry implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String id;
    private final String sourceJson;
    private final int attempts;

    public BulkIndexEntry(String id, String sourceJson, int attempts) {
        this.id = Objects.requireNonNull(id, "id");
        this.sourceJson = Objects.requireNonNull(sourceJson, "sourceJson");
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must be >= 0, got " + attempts);
        }
        this.attempts = attempts;
    }

    public String id() { return id; }
    public String sourceJson() { return sourceJson; }
    /** How many bulk requests carried this entry before (0 for a new one). */
    public int attempts() { return attempts; }

    /** The same entry, counted as sent once more. */
    public BulkIndexEntry retried() {
        return new BulkIndexEntry(id, sourceJson, attempts + 1);
    }

    /** Approximate size on the wire: the JSON source, the id and the action line. */
    public long sizeInBytes() {
        return sourceJson.getBytes(StandardCharsets.UTF_8).length + id.length() + 64L;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BulkIndexEntry)) {
            return false;
        }
        BulkIndexEntry e = (BulkIndexEntry) o;
        return id.equals(e.id) && sourceJson.equals(e.sourceJson) && attempts == e.attempts;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, sourceJson, attempts);
    }

    @Override
    public String toString() {
        return "BulkIndexEntry[" + id + ", attempts=" + attempts + "]";
    }
}
