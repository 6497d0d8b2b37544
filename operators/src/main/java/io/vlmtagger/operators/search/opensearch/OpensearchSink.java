package io.vlmtagger.operators.search.opensearch;

import io.vlmtagger.operators.search.DeadLetterPublisher;
import io.vlmtagger.operators.search.IndexDocumentEmitter;
import io.vlmtagger.schemas.EnrichedImage;
import java.io.IOException;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Indexes enriched images into OpenSearch, at least once, with idempotent upserts: each document is
 * an index operation with id = event id, so a replay after a failover overwrites instead of
 * duplicating. Built on Flink's async sink (Sink V2): bulk requests are cut by count, bytes and
 * time; the buffer is checkpointed; a bounded number of requests is in flight, so a slow or absent
 * cluster backpressures the job.
 *
 * <pre>{@code
 * OpensearchSink sink = OpensearchSink.builder()
 *         .setHosts("https://search-1:9200", "https://search-2:9200")
 *         .setIndexAlias("images")
 *         .optBasicAuth("tagger", password)
 *         .optTrustStore("/etc/flink/opensearch-truststore.p12", storePassword)
 *         .optDeadLetterPublisher(kafkaDeadLetters)
 *         .build();
 * stream.sinkTo(sink).name("opensearch");
 * }</pre>
 *
 * At start each writer creates the index template, the first index and the write alias if they
 * are missing ({@link OpensearchIndexSetup}). Failed items: see {@link ItemFailures}.
 * Metrics per subtask: {@code bulk_latency_ms} (histogram), {@code items_indexed},
 * {@code items_failed} (dead-lettered), {@code items_retried}, {@code bulk_requests_failed}.
 */
public final class OpensearchSink extends AsyncSinkBase<EnrichedImage, BulkIndexEntry> {
    private static final long serialVersionUID = 1L;

    private final OpensearchConnection connection;
    private final String alias;
    private final int shards;
    private final int replicas;
    private final RetryBackoff backoff;
    private final int maxItemRetries;
    private final DeadLetterPublisher.Factory deadLetters;

    OpensearchSink(
            IndexDocumentEmitter emitter,
            int maxBatchSize,
            int maxInFlightRequests,
            int maxBufferedRequests,
            long maxBatchSizeInBytes,
            long maxTimeInBufferMs,
            long requestTimeoutMs,
            OpensearchConnection connection,
            String alias,
            int shards,
            int replicas,
            RetryBackoff backoff,
            int maxItemRetries,
            DeadLetterPublisher.Factory deadLetters) {
        super(
                new BulkIndexEntryConverter(emitter),
                maxBatchSize,
                maxInFlightRequests,
                maxBufferedRequests,
                maxBatchSizeInBytes,
                maxTimeInBufferMs,
                maxBatchSizeInBytes, // one document may fill a whole bulk request
                requestTimeoutMs,
                false); // a request that outlives the timeout is retried, not fatal
        this.connection = connection;
        this.alias = alias;
        this.shards = shards;
        this.replicas = replicas;
        this.backoff = backoff;
        this.maxItemRetries = maxItemRetries;
        this.deadLetters = deadLetters;
    }

    public static OpensearchSinkBuilder builder() {
        return new OpensearchSinkBuilder();
    }

    public String indexAlias() {
        return alias;
    }

    public OpensearchConnection connection() {
        return connection;
    }

    /** The template/index/alias setup the writers run at start; handy for tools and tests. */
    public OpensearchIndexSetup indexSetup() {
        return new OpensearchIndexSetup(alias, shards, replicas);
    }

    @Override
    public StatefulSinkWriter<EnrichedImage, BufferedRequestState<BulkIndexEntry>> createWriter(
            WriterInitContext context) throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<EnrichedImage, BufferedRequestState<BulkIndexEntry>> restoreWriter(
            WriterInitContext context, Collection<BufferedRequestState<BulkIndexEntry>> recoveredState)
            throws IOException {
        AsyncSinkWriterConfiguration config = AsyncSinkWriterConfiguration.builder()
                .setMaxBatchSize(getMaxBatchSize())
                .setMaxBatchSizeInBytes(getMaxBatchSizeInBytes())
                .setMaxInFlightRequests(getMaxInFlightRequests())
                .setMaxBufferedRequests(getMaxBufferedRequests())
                .setMaxTimeInBufferMS(getMaxTimeInBufferMS())
                .setMaxRecordSizeInBytes(getMaxRecordSizeInBytes())
                .setRequestTimeoutMS(getRequestTimeoutMS())
                .setFailOnTimeout(getFailOnTimeout())
                .build();
        return new OpensearchSinkWriter(
                getElementConverter(),
                context,
                config,
                recoveredState,
                connection,
                indexSetup(),
                alias,
                backoff,
                maxItemRetries,
                deadLetters,
                Clock.systemUTC());
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<BulkIndexEntry>> getWriterStateSerializer() {
        return new BulkIndexEntryStateSerializer();
    }

    @Override
    public String toString() {
        return "OpensearchSink[alias=" + alias + ", " + connection + "]";
    }
}
