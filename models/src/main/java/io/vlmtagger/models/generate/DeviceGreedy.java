package io.vlmtagger.models.generate;

import ai.djl.ndarray.NDArray;

/**
 * A {@link CausalDecoder} that runs greedy decoding on its device: the prompt fills a cache
 * preallocated for the whole generation, and each step feeds the previous step's ids (never
 * leaving the device), applies the processors (minimum length, repetition penalty) and picks the
 * next ids, without a host round trip. {@link Generator} uses it for greedy generation and reads
 * the device state only every few steps to see whether every row has finished.
 */
public interface DeviceGreedy {

    /**
     * Prefills and picks the first token of every row.
     *
     * @param inputsEmbeds {@code [B, P, E]} prompt embeddings
     * @param attentionMask {@code [B, P]} int64, left padding = 0
     * @param context per row, tokens the repetition penalty counts besides the generated ones, or null
     */
    Session startGreedy(NDArray inputsEmbeds, NDArray attentionMask, Settings settings, long[][] context);

    /** What a greedy generation needs besides the prompt. */
    record Settings(int maxNewTokens, int minNewTokens, float repetitionPenalty, long[] eosTokenIds, long padTokenId) {}

    /** One greedy generation's device state (cache, chosen ids, finished flags); close it to free them. */
    interface Session extends AutoCloseable {
        /** Picks the next token of every row (device only: returns before the device is done). */
        void step();

        /** Number of tokens picked per row so far (1 after the prefill). */
        int steps();

        /** Whether every row has picked an eos id (waits for the device). */
        boolean allFinished();

        /** The picked ids, {@code [B][steps()]}, including anything after a row's eos. */
        long[][] tokens();

        @Override
        void close();
    }
}
