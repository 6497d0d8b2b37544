package io.vlmtagger.jobs.local;

import io.vlmtagger.operators.search.lucene.SearchHit;
import io.vlmtagger.schemas.ChatAnswer;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;

import java.util.List;
import java.util.Map;

/**
 * What a local run produced, for the printed summary and for tests.
 *
 * @param images what was sent, by event id
 * @param captioned enriched images of the caption path, in arrival order
 * @param answers chat answers in turn order
 * @param deadLetters dead letters in arrival order
 * @param imagesPerSecond captioned images per second, first send to the last result visible
 * @param latencyMs end-to-end latency percentiles (event created -> result visible to a
 *     read_committed consumer), keys p50, p90, p99, max
 * @param processingMs in-job latency percentiles (record received by the job -> caption emitted)
 * @param inferenceMs model time percentiles of the batches the captions came from
 * @param sampleQuery the query run against the index, and its hits
 * @param indexedDocuments documents in the search index at the end
 * @param complete whether every sent record had a result or a dead letter before the timeout
 * @param fewShot the few-shot demo (exemplar sets and tagged events), or null when it was off
 * @param jobFailure why the job failed, cause first, one line per exception (empty: it did not)
 */
public record RunReport(Map<String, LocalImages.LocalImage> images, List<EnrichedImage> captioned, List<ChatAnswer> answers,
        List<DeadLetter> deadLetters, double imagesPerSecond, Map<String, Long> latencyMs, Map<String, Long> processingMs,
        Map<String, Long> inferenceMs, String sampleQuery,
        List<SearchHit> sampleHits, int indexedDocuments, boolean complete, LocalFewShot.Report fewShot,
        List<String> jobFailure) {}
