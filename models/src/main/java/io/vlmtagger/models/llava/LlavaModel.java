package io.vlmtagger.models.llava;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.clip.ClipVisionTower;
import io.vlmtagger.models.config.LlavaConfig;
import io.vlmtagger.models.llama.LlamaDecoder;
import io.vlmtagger.models.weights.ModelBuilder;
import io.vlmtagger.models.weights.WeightStore;
import java.nio.file.Path;

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

    /**
     * Loads a LLaVA checkpoint in either key layout (see the class comment): {@code setCheckpoint}
     * required; CPU float32 by default.
     */
    public static ModelBuilder<LlavaConfig, LlavaModel> builder() {
        return new ModelBuilder<>("LlavaModel", LlavaConfig::load, b -> b
                // transformers >= 4.52 layout, requested by the 4.40 names
                .optAlias("language_model.model.", "model.language_model.")
                .optAlias("language_model.lm_head.", "lm_head.")
                .optAlias("vision_tower.", "model.vision_tower.")
                // transformers 5's save_pretrained: the CLIP tower without its vision_model. level
                .optAlias("vision_tower.vision_model.", "model.vision_tower.")
                .optAlias("vision_tower.vision_model.", "vision_tower.")
                .optAlias("multi_modal_projector.", "model.multi_modal_projector."), LlavaModel::new);
    }

    /**
     * The model over weights already in a store (e.g. {@link WeightStore#ofArrays}: parameters being
     * trained, so that autograd reaches them through the same layers); closing the model closes the
     * store. The store must use the 4.40 key layout (no aliases are added).
     */
    public static LlavaModel of(LlavaConfig config, WeightStore store) {
        return new LlavaModel(config, store);
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
}
