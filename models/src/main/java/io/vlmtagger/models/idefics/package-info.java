/**
 * IDEFICS v1 ({@code IdeficsForVisionText2Text}, the open reproduction of Flamingo) on the shared
 * model code. Few-shot tagging with it (the {@code FewShotTagger} API) is pipeline code: {@code
 * pipeline.IdeficsFewShotTagger} and {@code pipeline.FewShotPrompt}.
 *
 * <ul>
 *   <li>{@link io.vlmtagger.models.idefics.IdeficsModel}: loads a checkpoint as it is; {@code
 *       imageStates(pixels [B, N, C, H, W])} once per request (shared {@code ClipVisionTower}
 *       last hidden state, then {@link io.vlmtagger.models.idefics.PerceiverResampler});
 *       {@code decoder(states, imageAttentionMask)} is a {@code CausalDecoder} for the shared
 *       {@code Generator}.
 *   <li>{@link io.vlmtagger.models.idefics.IdeficsTextModel}: shared {@code LlamaDecoderLayer}s
 *       with a {@link io.vlmtagger.models.idefics.GatedCrossAttentionBlock} in front of every
 *       {@code cross_layer_interval}-th one; {@link io.vlmtagger.models.idefics.DecoupledEmbedding}
 *       for the additional vocabulary and head.
 *   <li>{@link io.vlmtagger.models.idefics.ImageAttentionMasks}: IdeficsProcessor's mask (each token
 *       attends only the most recent {@code <image>} at or before it) and what the model derives
 *       from it (additive mask over the image keys, the per-token gate).
 * </ul>
 *
 * <p>Manager rule as elsewhere: weights in the store's manager, every per-call array in the
 * inputs' manager; image keys/values of a generation call live in its cache, in the call's manager.
 */
package io.vlmtagger.models.idefics;
