/**
 * BLIP-2 with an OPT language model, one file per part, parameter prefixes mirroring the checkpoint
 * keys. Entry point: {@link io.vlmtagger.models.blip2.Blip2Model} ({@code load}, {@code softPrompt},
 * {@code lmInputsEmbeds}, {@code lmAttentionMask}, {@code decoder()}); the language model is
 * {@link io.vlmtagger.models.blip2.OptDecoder}, a {@code generate.CausalDecoder}.
 */
package io.vlmtagger.models.blip2;
