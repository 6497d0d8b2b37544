package io.vlmtagger.operators.search.opensearch;

import io.vlmtagger.operators.search.IndexDocumentEmitter;
import io.vlmtagger.operators.search.SearchDocument;
import io.vlmtagger.schemas.EnrichedImage;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

/** Turns an EnrichedImage into a bulk index entry through the shared {@link IndexDocumentEmitter}. */
final class BulkIndexEntryConverter implements ElementConverter<EnrichedImage, BulkIndexEntry> {
    private static final long serialVersionUID = 1L;

    private final IndexDocumentEmitter emitter;

    BulkIndexEntryConverter(IndexDocumentEmitter emitter) {
        this.emitter = emitter;
    }

    @Override
    public BulkIndexEntry apply(EnrichedImage element, SinkWriter.Context context) {
        SearchDocument doc = emitter.toDocument(element);
        return new BulkIndexEntry(doc.id(), doc.toJson(), 0);
    }
}
