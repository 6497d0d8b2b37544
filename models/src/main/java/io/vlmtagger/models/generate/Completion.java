package io.vlmtagger.models.generate;

/**
 * One request's result from a {@link ContinuousBatcher}: the new tokens (eos included when
 * emitted) and where its time went, in milliseconds.
 *
 * @param tokens the generated ids, no padding
 * @param promptTokens real (unpadded) prompt positions the row was prefilled with
 * @param queueMs from {@code submit} until its join started
 * @param joinMs building its join group's prompts and prefilling them (shared by the group)
 * @param decodeMs from the end of its join until it finished, decode steps shared with the other rows
 * @param totalMs from {@code submit} until it finished
 */
public record Completion(long[] tokens, int promptTokens, double queueMs, double joinMs, double decodeMs,
        double totalMs) {}
