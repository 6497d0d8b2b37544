package io.vlmtagger.models.api;

/**
 * A set of few-shot exemplars prepared once by {@link FewShotTagger#prepare} for many queries:
 * what the model needs of them (their image features, their part of the prompt), so that a query
 * does not run the exemplar images through the vision model again. Immutable and thread-safe;
 * plain heap data (no native memory), so it needs no closing and may be cached and dropped freely.
 * Only the tagger that prepared it can use it.
 */
public interface ExemplarFeatures {

    /** Number of exemplars. */
    int count();

    /** Approximate heap size in bytes, for bounding a cache of these. */
    long sizeBytes();
}
