/**
 * HuggingFace checkpoints as they are: {@link io.vlmtagger.models.weights.SafetensorsFile} (one
 * file, F32/F16/BF16/I64/I32, lazy per-tensor reads), {@link io.vlmtagger.models.weights.CheckpointFiles}
 * ({@code model.safetensors} or shards + {@code model.safetensors.index.json}),
 * {@link io.vlmtagger.models.weights.WeightStore} (device, compute dtype, prefix aliases, tied
 * weights, shape checks with {@code CheckpointException}s naming the key) with prefixed
 * {@link io.vlmtagger.models.weights.Weights} views, and
 * {@link io.vlmtagger.models.weights.SafetensorsWriter} (F32/F16/BF16, optional shards + index).
 *
 * <p>BF16 files are read as float32 ({@code bits << 16}). BFLOAT16 as a compute dtype is refused:
 * DJL 0.36's PyTorch JNI aborts the JVM when asked to create or cast to it.
 */
package io.vlmtagger.models.weights;
