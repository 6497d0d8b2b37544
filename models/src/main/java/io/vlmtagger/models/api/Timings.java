package io.vlmtagger.models.api;

/**
 * Where the time of one batch call went, in milliseconds: the vision tower, the prompt's forward
 * pass (prefill) and the token-by-token generation steps (the "decode" phase of an LLM, not image
 * or Avro decoding). Every request of a batch carries the batch's timings.
 */
public record Timings(double visionMs, double prefillMs, double decodeMs, double totalMs) {}
