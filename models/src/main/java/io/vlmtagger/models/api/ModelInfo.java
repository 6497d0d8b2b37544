package io.vlmtagger.models.api;

/**
 * What a loaded model is: a display name (e.g. the checkpoint directory name or HF repo id), a
 * revision (content hash of config + weights index, or a user-supplied revision), the device
 * ({@code cpu}, {@code gpu:0}) and the compute dtype ({@code float32}, {@code float16}, {@code
 * bfloat16}).
 */
public record ModelInfo(String name, String revision, String device, String dtype) {}
