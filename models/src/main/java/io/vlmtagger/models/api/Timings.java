package io.vlmtagger.models.api;

/**
 * Where the time of one batch call went, in milliseconds. Every request of a batch carries the
 * batch's timings.
 */
public record Timings(double visionMs, double prefillMs, double decodeMs, double totalMs) {}
