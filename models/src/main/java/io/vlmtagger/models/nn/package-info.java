/**
 * The shared tensor math of the decoders and encoders, eager-transformers style: {@link
 * io.vlmtagger.models.nn.Linear}, {@link io.vlmtagger.models.nn.Embedding}, {@link
 * io.vlmtagger.models.nn.LayerNorm}, {@link io.vlmtagger.models.nn.Activation} (by config name),
 * {@link io.vlmtagger.models.nn.Attention} (split/merge heads, softmax in float32), {@link
 * io.vlmtagger.models.nn.Masks} (additive, finite {@code finfo.min}), {@link
 * io.vlmtagger.models.nn.Rotary} (the rotate_half frequencies),
 * {@link io.vlmtagger.models.nn.LayerKvCache} and {@link io.vlmtagger.models.nn.CallScope}. The decoders and
 * encoders themselves compute in TorchScript kernels ({@code io.vlmtagger.models.kernels}); what is
 * left here serves the parts that run a handful of DJL ops (embeddings, projectors, the perceiver).
 *
 * <p>Manager rule: an op's result is attached to the manager of its FIRST operand, so per-call
 * tensors come first ({@code x.mul(weight)}, never {@code weight.mul(x)}); nothing here creates
 * per-call arrays in a model's manager.
 */
package io.vlmtagger.models.nn;
