package io.vlmtagger.models.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Objects;

/**
 * What {@link Generator#generate} starts from: a left-padded prompt batch, either as embeddings
 * ({@code [B, T, H]}, e.g. BLIP-2's soft visual prompt followed by text embeddings, or LLaVA's
 * merged sequence) or as token ids ({@code [B, T]} int64, embedded with {@link
 * CausalDecoder#embed}), plus the attention mask {@code [B, T]} (1 = real token, 0 = padding).
 *
 * <p>The arrays stay owned by the caller; the generator never closes them.
 */
public final class GenerationInput {
    private final NDArray inputsEmbeds;
    private final NDArray inputIds;
    private final NDArray attentionMask;
    private final long[][] contextTokenIds;
    private final boolean keepStepLogits;

    private GenerationInput(Builder b) {
        this.inputsEmbeds = b.inputsEmbeds;
        this.inputIds = b.inputIds;
        this.attentionMask = b.attentionMask;
        this.contextTokenIds = b.contextTokenIds;
        this.keepStepLogits = b.keepStepLogits;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Prompt embeddings {@code [B, T, H]} with mask {@code [B, T]}. */
    public static GenerationInput ofEmbeds(NDArray inputsEmbeds, NDArray attentionMask) {
        return builder().setInputsEmbeds(inputsEmbeds).setAttentionMask(attentionMask).build();
    }

    /** {@code null} when the input was given as token ids. */
    public NDArray inputsEmbeds() {
        return inputsEmbeds;
    }

    /** {@code null} when the input was given as embeddings. */
    public NDArray inputIds() {
        return inputIds;
    }

    public NDArray attentionMask() {
        return attentionMask;
    }

    /**
     * Per row, the prompt tokens the repetition penalty also counts (besides the generated ones);
     * {@code null} = none, or the non-padding input ids when the input was given as ids.
     */
    public long[][] contextTokenIds() {
        return contextTokenIds;
    }

    public boolean keepStepLogits() {
        return keepStepLogits;
    }

    public int batchSize() {
        return (int) attentionMask.getShape().get(0);
    }

    public int promptLength() {
        return (int) attentionMask.getShape().get(1);
    }

    /** Builder: exactly one of {@code setInputsEmbeds} / {@code setInputIds}, and the mask. */
    public static final class Builder {
        private NDArray inputsEmbeds;
        private NDArray inputIds;
        private NDArray attentionMask;
        private long[][] contextTokenIds;
        private boolean keepStepLogits;

        private Builder() {}

        public Builder setInputsEmbeds(NDArray inputsEmbeds) {
            this.inputsEmbeds = inputsEmbeds;
            return this;
        }

        public Builder setInputIds(NDArray inputIds) {
            this.inputIds = inputIds;
            return this;
        }

        public Builder setAttentionMask(NDArray attentionMask) {
            this.attentionMask = attentionMask;
            return this;
        }

        /** Prompt token ids per row that the repetition penalty counts as already in the sequence. */
        public Builder optContextTokenIds(long[][] contextTokenIds) {
            this.contextTokenIds = contextTokenIds;
            return this;
        }

        /** Keep the raw next-token logits of every step (greedy and sampling only; costs B x steps x V floats). */
        public Builder optKeepStepLogits(boolean keepStepLogits) {
            this.keepStepLogits = keepStepLogits;
            return this;
        }

        public GenerationInput build() {
            if ((inputsEmbeds == null) == (inputIds == null)) {
                throw new IllegalArgumentException(
                        "set exactly one of inputsEmbeds [B, T, H] or inputIds [B, T] as the prompt");
            }
            Objects.requireNonNull(attentionMask, "attentionMask [B, T] is required (all ones when nothing is padded)");
            if (attentionMask.getShape().dimension() != 2) {
                throw new IllegalArgumentException("attentionMask must be [B, T], got " + attentionMask.getShape());
            }
            NDArray prompt = inputsEmbeds != null ? inputsEmbeds : inputIds;
            int wantDims = inputsEmbeds != null ? 3 : 2;
            if (prompt.getShape().dimension() != wantDims
                    || prompt.getShape().get(0) != attentionMask.getShape().get(0)
                    || prompt.getShape().get(1) != attentionMask.getShape().get(1)) {
                throw new IllegalArgumentException("prompt shape " + prompt.getShape()
                        + " does not match attentionMask " + attentionMask.getShape()
                        + (inputsEmbeds != null ? " (want [B, T, H] with mask [B, T])" : " (want [B, T] with mask [B, T])"));
            }
            if (inputIds != null && inputIds.getDataType() != DataType.INT64) {
                throw new IllegalArgumentException("inputIds must be int64, got " + inputIds.getDataType());
            }
            if (contextTokenIds != null && contextTokenIds.length != attentionMask.getShape().get(0)) {
                throw new IllegalArgumentException("contextTokenIds has " + contextTokenIds.length
                        + " rows but the batch has " + attentionMask.getShape().get(0));
            }
            return new GenerationInput(this);
        }
    }
}
