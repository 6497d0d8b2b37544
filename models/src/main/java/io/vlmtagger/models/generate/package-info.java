/**
 * Autoregressive generation over any {@link io.vlmtagger.models.generate.CausalDecoder}.
 *
 * <pre>{@code
 * Generator g = Generator.builder().setDecoder(decoder).setEosTokenIds(2).optPadTokenId(1).build();
 * GeneratedSequences out = g.generate(
 *         GenerationInput.builder().setInputsEmbeds(embeds).setAttentionMask(mask).build(),  // or setInputIds
 *         GenerationOptions.greedy(20));
 * long[] newTokens = out.tokens(0);  // eos included when emitted, no padding
 * }</pre>
 *
 * <p>Conventions: prompts are left-padded; positions come from the mask inside the decoder; every
 * step is one forward for the whole batch with a KV cache; finished rows are dropped from the
 * cache ({@link io.vlmtagger.models.generate.KvCache#reorder}); each decode step runs in a
 * sub-manager of the call's manager, so a decoder's cache must keep its arrays in the manager of
 * the prefill's inputs (the contract of {@code KvCache}). Decoders may override {@link
 * io.vlmtagger.models.generate.CausalDecoder#forwardLast} to skip the LM head on all but the last
 * position.
 *
 * <p>{@link io.vlmtagger.models.generate.ContinuousBatcher} is the continuous (in-flight) variant
 * for greedy decoding: one loop thread per device whose running batch new requests join at step
 * boundaries ({@code KvCache.appendRows}, {@code moveTo}, {@code dropLeadingPositions}); beam
 * search and sampling stay on {@code Generator}'s static batches.
 */
package io.vlmtagger.models.generate;
