package io.vlmtagger.operators.search.opensearch;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmtagger.operators.search.DeadLetterPublisher;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.DequeRequestBuffer;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.SimpleBatchCreator;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.opensearch.client.opensearch.OpenSearchAsyncClient;
import org.opensearch.client.opensearch._types.ErrorCause;
import org.opensearch.client.opensearch.core.BulkRequest;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.opensearch.core.bulk.BulkResponseItem;
import org.opensearch.client.opensearch.generic.OpenSearchGenericClient;
import org.opensearch.client.transport.OpenSearchTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends buffered entries as bulk index requests through the write alias and sorts the answers:
 * indexed items are done, retryable ones ({@link ItemFailures}) go back into the buffer after a
 * backoff, rejected ones go to the dead-letter publisher. The async sink base does the batching
 * (count, bytes, time), the in-flight limit (backpressure when the cluster is slow or down) and
 * the checkpointing of what is still buffered.
 *
 * <p>Backoff holds the request's in-flight slot until the retry is handed back, so a failing
 * cluster slows the writer down instead of being hammered. A request is done only after its dead
 * letters are published, so neither documents nor letters are lost at a checkpoint.
 */
final class OpensearchSinkWriter extends AsyncSinkWriter<io.vlmtagger.schemas.EnrichedImage, BulkIndexEntry> {
    private static final Logger LOG = LoggerFactory.getLogger(OpensearchSinkWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    static final int MAX_DEAD_LETTER_BYTES = 256 * 1024;

    private final String alias;
    private final RetryBackoff backoff;
    private final int maxItemRetries;
    private final Clock clock;
    private final OpenSearchTransport transport;
    private final OpenSearchAsyncClient client;
    private final DeadLetterPublisher deadLetters;
    private final ScheduledExecutorService retryTimer;

    private final Histogram bulkLatencyMs;
    private final Counter itemsIndexed;
    private final Counter itemsFailed;
    private final Counter itemsRetried;
    private final Counter bulkRequestsFailed;

    OpensearchSinkWriter(
            ElementConverter<io.vlmtagger.schemas.EnrichedImage, BulkIndexEntry> converter,
            WriterInitContext context,
            AsyncSinkWriterConfiguration config,
            Collection<BufferedRequestState<BulkIndexEntry>> restored,
            OpensearchConnection connection,
            OpensearchIndexSetup indexSetup,
            String alias,
            RetryBackoff backoff,
            int maxItemRetries,
            DeadLetterPublisher.Factory deadLetterFactory,
            Clock clock)
            throws IOException {
        super(converter, context, config, restored,
                new SimpleBatchCreator<>(config.getMaxBatchSizeInBytes()), new DequeRequestBuffer<>());
        this.alias = alias;
        this.backoff = backoff;
        this.maxItemRetries = maxItemRetries;
        this.clock = clock;
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        this.transport = connection.createTransport();
        this.client = new OpenSearchAsyncClient(transport);
        try {
            indexSetup.ensure(new OpenSearchGenericClient(transport));
            this.deadLetters = deadLetterFactory.create(subtask);
        } catch (Exception e) {
            transport.close();
            throw new IOException("Preparing the OpenSearch sink for alias " + alias + " at " + connection
                    + " failed: " + e.getMessage(), e);
        }
        this.retryTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "opensearch-sink-retry-" + subtask);
            t.setDaemon(true);
            return t;
        });
        MetricGroup metrics = context.metricGroup();
        this.bulkLatencyMs = metrics.histogram("bulk_latency_ms", new DescriptiveStatisticsHistogram(1000));
        this.itemsIndexed = metrics.counter("items_indexed");
        this.itemsFailed = metrics.counter("items_failed");
        this.itemsRetried = metrics.counter("items_retried");
        this.bulkRequestsFailed = metrics.counter("bulk_requests_failed");
    }

    @Override
    protected void submitRequestEntries(List<BulkIndexEntry> entries, ResultHandler<BulkIndexEntry> handler) {
        long start = System.nanoTime();
        CompletableFuture<BulkResponse> response;
        try {
            List<BulkOperation> ops = new ArrayList<>(entries.size());
            for (BulkIndexEntry e : entries) {
                Map<String, Object> source = JSON.readValue(e.sourceJson(), MAP);
                ops.add(BulkOperation.of(b -> b.index(i -> i.index(alias).id(e.id()).document(source))));
            }
            // require_alias: if the alias is gone, fail (and retry) instead of auto-creating an index by its name
            response = client.bulk(BulkRequest.of(b -> b.requireAlias(true).operations(ops)));
        } catch (IOException | RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        response.whenComplete((r, error) -> {
            bulkLatencyMs.update((System.nanoTime() - start) / 1_000_000);
            if (error != null) {
                onRequestFailure(entries, error, handler);
            } else {
                onResponse(entries, r, handler);
            }
        });
    }

    private void onRequestFailure(List<BulkIndexEntry> entries, Throwable error, ResultHandler<BulkIndexEntry> handler) {
        bulkRequestsFailed.inc();
        List<BulkIndexEntry> retry = new ArrayList<>(entries.size());
        for (BulkIndexEntry e : entries) {
            retry.add(e.retried());
        }
        long delay = backoff.delayMs(maxAttempts(retry));
        LOG.warn("Bulk request of {} documents to {} failed ({}); retrying in {} ms",
                entries.size(), alias, rootMessage(error), delay);
        itemsRetried.inc(retry.size());
        retryLater(retry, delay, handler);
    }

    private void onResponse(List<BulkIndexEntry> entries, BulkResponse response, ResultHandler<BulkIndexEntry> handler) {
        List<BulkResponseItem> items = response.items();
        if (items.size() != entries.size()) {
            handler.completeExceptionally(new IOException("OpenSearch answered a bulk request of " + entries.size()
                    + " items with " + items.size() + " results"));
            return;
        }
        List<BulkIndexEntry> retry = new ArrayList<>();
        List<CompletableFuture<Void>> published = new ArrayList<>();
        long indexed = 0;
        for (int i = 0; i < items.size(); i++) {
            BulkResponseItem item = items.get(i);
            BulkIndexEntry entry = entries.get(i);
            ErrorCause error = item.error();
            if (error == null && item.status() < 300) {
                indexed++;
                continue;
            }
            String type = error == null ? null : error.type();
            ItemFailures.Action action = ItemFailures.classify(item.status(), type);
            if (action == ItemFailures.Action.RETRY && (maxItemRetries < 0 || entry.attempts() < maxItemRetries)) {
                retry.add(entry.retried());
            } else {
                String reason = action == ItemFailures.Action.RETRY ? "retries_exhausted" : ItemFailures.reason(type);
                published.add(deadLetters.publish(deadLetter(entry, item.status(), error, reason)));
            }
        }
        itemsIndexed.inc(indexed);
        itemsFailed.inc(published.size());
        itemsRetried.inc(retry.size());
        CompletableFuture.allOf(published.toArray(new CompletableFuture[0])).whenComplete((ok, dlqError) -> {
            if (dlqError != null) {
                handler.completeExceptionally(new IOException(
                        "Publishing dead letters for documents the index rejected failed: " + rootMessage(dlqError),
                        dlqError));
            } else if (retry.isEmpty()) {
                handler.complete();
            } else {
                retryLater(retry, backoff.delayMs(maxAttempts(retry)), handler);
            }
        });
    }

    private void retryLater(List<BulkIndexEntry> retry, long delayMs, ResultHandler<BulkIndexEntry> handler) {
        try {
            retryTimer.schedule(() -> handler.retryForEntries(retry), delayMs, TimeUnit.MILLISECONDS);
        } catch (RuntimeException closed) {
            handler.retryForEntries(retry); // writer closing: hand back at once, the entries stay buffered
        }
    }

    DeadLetter deadLetter(BulkIndexEntry entry, int status, @Nullable ErrorCause error, String reason) {
        byte[] bytes = entry.sourceJson().getBytes(StandardCharsets.UTF_8);
        boolean truncated = bytes.length > MAX_DEAD_LETTER_BYTES;
        if (truncated) {
            bytes = Arrays.copyOf(bytes, MAX_DEAD_LETTER_BYTES);
        }
        String message = "HTTP " + status + (error == null ? "" : ": " + error.reason()
                + (error.causedBy() == null ? "" : "; caused by " + error.causedBy().type() + ": " + error.causedBy().reason()));
        return DeadLetter.newBuilder()
                .setEventId(entry.id())
                .setOriginalBytes(ByteBuffer.wrap(bytes))
                .setTruncated(truncated)
                .setStage(FailureStage.SINK)
                .setReason(reason)
                .setErrorClass(error == null || error.type() == null ? "http_" + status : error.type())
                .setErrorMessage(message)
                .setAttempts(entry.attempts() + 1)
                .setFailedAt(clock.instant())
                .build();
    }

    private static int maxAttempts(List<BulkIndexEntry> entries) {
        int max = 1;
        for (BulkIndexEntry e : entries) {
            max = Math.max(max, e.attempts());
        }
        return max;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    @Override
    protected long getSizeInBytes(BulkIndexEntry entry) {
        return entry.sizeInBytes();
    }

    @Override
    public void close() {
        try {
            super.close();
        } finally {
            retryTimer.shutdownNow();
            try {
                deadLetters.close();
            } catch (Exception e) {
                LOG.warn("Closing the dead-letter publisher failed", e);
            }
            try {
                transport.close();
            } catch (Exception e) {
                LOG.warn("Closing the OpenSearch transport failed", e);
            }
        }
    }
}
