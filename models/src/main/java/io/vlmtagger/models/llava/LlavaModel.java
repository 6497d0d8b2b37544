package io.vlmtagger.models.llava;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.clip.ClipVisionTower;
import io.vlmtagger.models.config.LlavaConfig;
import io.vlmtagger.models.llama.LlamaDecoder;
import io.vlmtagger.models.weights.WeightStore;
import java.nio.file.Path;
import java.util.Objects;

/**
 * LLaVA ({@code LlavaForConditionalGeneration}) on a HuggingFace checkpoint as it is: a CLIP vision
 * tower, the {@code multi_modal_projector}, and a Llama decoder, composed from {@link
 * ClipVisionTower}, {@link LlavaProjector} and {@link LlamaDecoder}.
 *
 * <p>The steps are public so that callers (the chat model, the parity checks) can run and inspect
 * them: {@link #selectedFeatures} (hidden state {@code vision_feature_layer}, CLS dropped under
 * strategy {@code default}) -> {@link #imageFeatures} (projected) -> {@link #mergeInputs} (image
 * tokens replaced in place) -> {@link #languageModel()} (a {@code CausalDecoder} for the shared
 * generator). {@link #forward} chains them into full logits.
 *
 * <p>Both checkpoint key layouts load: the one written by transformers up to 4.51 ({@code
 * language_model.model.*}, {@code language_model.lm_head.*}, {@code vision_tower.*}, {@code
 * multi_modal_projector.*}) and the newer one ({@code model.language_model.*}, {@code lm_head.*},
 * {@code model.vision_tower.*}, {@code model.multi_modal_projector.*}). Vision layers after
 * {@code vision_feature_layer} are never loaded.
 *
 * <p>Holds weights only (thread-safe); per-call arrays live in the inputs' manager. {@link #close()}
 * frees the weights.
 */
public final class LlavaModel implements AutoCloseable {
    private final LlavaConfig config;
    private final WeightStore store;
    private final ClipVisionTower visionTower;
    private final int featureLayer;
    private final LlavaProjector projector;
    private final LlamaDecoder languageModel;

    private LlavaModel(LlavaConfig config, WeightStore store) {
        this.config = config;
        this.store = store;
        this.featureLayer = ClipVisionTower.absoluteIndex(config.visionFeatureLayer(), config.vision().numHiddenLayers());
        this.visionTower = new ClipVisionTower(store.weights("vision_tower.vision_model."), config.vision(), featureLayer);
        this.projector = new LlavaProjector(store.weights("multi_modal_projector."), config.vision().hiddenSize(),
                config.text().hiddenSize(), config.projectorHiddenAct());
        this.languageModel = new LlamaDecoder(store.weights("language_model.model."),
                store.weights("language_model.lm_head."), config.text());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads the checkpoint in {@code dir} on the CPU in float32. */
    public static LlavaModel load(Path dir) {
        return builder().setCheckpoint(dir).build();
    }

    public LlavaConfig config() {
        return config;
    }

    /** The weights (e.g. to build a full {@link ClipVisionTower} for inspection). */
    public WeightStore weights() {
        return store;
    }

    public ClipVisionTower visionTower() {
        return visionTower;
    }

    public LlavaProjector projector() {
        return projector;
    }

    public LlamaDecoder languageModel() {
        return languageModel;
    }

    public long imageTokenId() {
        return config.imageTokenIndex();
    }

    public long padTokenId() {
        return config.padTokenId();
    }

    /** Feature rows one image becomes (576 for LLaVA-1.5 at 336 px, patch 14). */
    public int featuresPerImage() {
        int patches = config.vision().numPatches();
        return "full".equals(config.visionFeatureSelectStrategy()) ? patches + 1 : patches;
    }

    /** {@code hidden_states[vision_feature_layer]}, CLS dropped for {@code default}: {@code [N, P, Hv]}. */
    public NDArray selectedFeatures(NDArray pixelValues) {
        NDArray state = visionTower.hiddenState(pixelValues, featureLayer);
        return "full".equals(config.visionFeatureSelectStrategy()) ? state : state.get(":, 1:, :");
    }

    /** Projected image features {@code [N, P, H]}, one row block per image. */
    public NDArray imageFeatures(NDArray pixelValues) {
        return projector.forward(selectedFeatures(pixelValues));
    }

    /** Text embeddings of {@code inputIds} with each image token replaced by one image's features. */
    public MergedInputs mergeInputs(NDArray inputIds, NDArray attentionMask, NDArray imageFeatures) {
        NDArray textEmbeds = languageModel.embed(inputIds);
        return LlavaInputMerger.merge(inputIds, attentionMask, textEmbeds, imageFeatures, imageTokenId(), padTokenId());
    }

    /** Full-sequence logits {@code [B, L, V]} (float32) over the merged sequence, no cache. */
    public NDArray forward(NDArray pixelValues, NDArray inputIds, NDArray attentionMask) {
        MergedInputs merged = mergeInputs(inputIds, attentionMask, imageFeatures(pixelValues));
        return languageModel.forward(merged.inputsEmbeds(), merged.attentionMask(), null);
    }

    @Override
    public void close() {
        languageModel.close();
        visionTower.close();
        store.close();
    }

    /** Builder: {@code setCheckpoint} required; CPU float32 by default. */
    public static final class Builder {
        private Path checkpoint;
        private Device device;
        private DataType dataType;
        private NDManager parent;

        private Builder() {}

        /** The checkpoint directory (config.json + model.safetensors or an index). */
        public Builder setCheckpoint(Path checkpoint) {
            this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
            return this;
        }

        public Builder optDevice(Device device) {
            this.device = device;
            return this;
        }

        /** Compute dtype for the weights (default float32 on CPU, float16 on GPU). */
        public Builder optDataType(DataType dataType) {
            this.dataType = dataType;
            return this;
        }

        /** A manager to create the weights' manager under (default: a new base manager). */
        public Builder optParentManager(NDManager parent) {
            this.parent = parent;
            return this;
        }

        public LlavaModel build() {
            if (checkpoint == null) {
                throw new IllegalStateException("LlavaModel needs setCheckpoint(<llava checkpoint directory>)");
            }
            LlavaConfig config = LlavaConfig.load(checkpoint);
            WeightStore.Builder b = WeightStore.builder().setCheckpoint(checkpoint)
                    // transformers >= 4.52 layout, requested by the 4.40 names
                    .optAlias("language_model.model.", "model.language_model.")
                    .optAlias("language_model.lm_head.", "lm_head.")
                    .optAlias("vision_tower.", "model.vision_tower.")
                    // transformers 5's save_pretrained: the CLIP tower without its vision_model. level
                    .optAlias("vision_tower.vision_model.", "model.vision_tower.")
                    .optAlias("vision_tower.vision_model.", "vision_tower.")
                    .optAlias("multi_modal_projector.", "model.multi_modal_projector.");
            if (device != null) {
                b.optDevice(device);
            }
            if (dataType != null) {
                b.optDataType(dataType);
            }
            if (parent != null) {
                b.optParentManager(parent);
            }
            WeightStore store = b.build();
            try {
                return new LlavaModel(config, store);
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
        }
    }
}
