package io.vlmtagger.models.api;

/**
 * The outcome of generation for one request.
 *
 * @param text decoded new text, special tokens skipped, trimmed
 * @param tokenIds the new token ids only (no prompt, no padding; eos included if it was emitted)
 * @param promptTokens number of prompt tokens the language model saw for this row, image
 *     tokens included, padding excluded
 * @param newTokens number of generated tokens (length of {@code tokenIds})
 * @param timings the batch's timings
 */
public record GenerationResult(String text, long[] tokenIds, int promptTokens, int newTokens, Timings timings) {}
