package io.vlmtagger.models.blip2;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.config.Blip2Config;
import io.vlmtagger.models.kernels.KernelModule;
import io.vlmtagger.models.kernels.Kernels;
import io.vlmtagger.models.nn.Linear;
import io.vlmtagger.models.weights.ModelBuilder;
import io.vlmtagger.models.weights.WeightStore;
import io.vlmtagger.models.weights.Weights;
import java.nio.file.Path;

/**
 * BLIP-2 ({@code Blip2ForConditionalGeneration}) with an OPT language model, loaded from a
 * HuggingFace checkpoint directory as it is. Image -> {@code vision_model} -> {@code qformer}
 * (learned queries cross-attending to the image) -> {@code language_projection} = soft visual
 * prompt, which precedes the text embeddings in the {@link OptDecoder}.
 *
 * <p>Holds only weights (in its {@link WeightStore}'s manager); every method creates its results
 * in the manager of its input arrays. Thread-safe; close it to free the weights.
 */
public final class Blip2Model implements AutoCloseable {
    private final Blip2Config config;
    private final WeightStore store;
    private final Blip2VisionModel vision;
    private final QFormer qformer;
    private final Linear languageProjection;
    private final OptDecoder decoder;
    private final Kernels visionKernels;

    private Blip2Model(Blip2Config config, WeightStore store) {
        this.config = config;
        this.store = store;
        Weights root = store.weights();
        this.visionKernels = Kernels.load(store.device(), KernelModule.BLIP2_VISION);
        this.vision = new Blip2VisionModel(root.sub("vision_model."), config.vision(), visionKernels);
        this.qformer = new QFormer(root, root.sub("qformer."), config.qformer(), config.numQueryTokens(), visionKernels);
        this.languageProjection = Linear.load(root.sub("language_projection."),
                config.text().wordEmbedProjDim(), config.qformer().hiddenSize());
        this.decoder = new OptDecoder(root.sub("language_model."), config.text());
    }

    /** Loads a BLIP-2 (OPT) checkpoint: {@code setCheckpoint} required; CPU float32 by default. */
    public static ModelBuilder<Blip2Config, Blip2Model> builder() {
        return new ModelBuilder<>("Blip2Model", Blip2Config::load, b -> b, Blip2Model::new);
    }

    /**
     * The model over weights already in a store (e.g. {@link WeightStore#ofArrays}: parameters being
     * trained, so that autograd reaches them through the same layers); closing the model closes the
     * store.
     */
    public static Blip2Model of(Blip2Config config, WeightStore store) {
        return new Blip2Model(config, store);
    }

    /** Loads on the CPU in float32. */
    public static Blip2Model load(Path checkpoint) {
        return builder().setCheckpoint(checkpoint).build();
    }

    public Blip2Config config() {
        return config;
    }

    /** The OPT language model, for {@code generate.Generator}. */
    public OptDecoder decoder() {
        return decoder;
    }

    public Device device() {
        return store.device();
    }

    /** The compute dtype of the weights. */
    public DataType dataType() {
        return store.dataType();
    }

    /** Number of soft-prompt positions (query tokens) before the text. */
    public int numQueryTokens() {
        return config.numQueryTokens();
    }

    /** {@code pixelValues [B, C, H, W]} -> vision encoder input {@code [B, 1 + N, Dv]}. */
    public NDArray visionEmbeddings(NDArray pixelValues) {
        return vision.embeddings(pixelValues);
    }

    /** Vision encoder over {@link #visionEmbeddings}' output, post_layernorm applied: {@code [B, 1 + N, Dv]}. */
    public NDArray visionEncode(NDArray visionEmbeddings) {
        return vision.encode(visionEmbeddings);
    }

    /** {@code visionLastHiddenState [B, 1 + N, Dv]} -> Q-Former output for the queries {@code [B, Q, Dq]}. */
    public NDArray qformer(NDArray visionLastHiddenState) {
        return qformer.forward(visionLastHiddenState);
    }

    /** {@code qformerOutput [B, Q, Dq]} -> {@code [B, Q, E]} in the language model's embedding space. */
    public NDArray languageProjection(NDArray qformerOutput) {
        return languageProjection.forward(qformerOutput);
    }

    /**
     * The soft visual prompt: pixels {@code [B, C, H, W]} -> language-model input embeddings
     * {@code [B, Q, E]} ({@code E = word_embed_proj_dim}), in the compute dtype.
     */
    public NDArray softPrompt(NDArray pixelValues) {
        return languageProjection(qformer(visionEncode(visionEmbeddings(pixelValues))));
    }

    /**
     * The language model input: {@code concat(softPrompt, embed(inputIds))} along the sequence,
     * {@code [B, Q + T, E]}.
     */
    public NDArray lmInputsEmbeds(NDArray softPrompt, NDArray inputIds) {
        return softPrompt.concat(decoder.embed(inputIds), 1);
    }

    /** {@code concat(ones [B, Q], attentionMask [B, T])} as int64 {@code [B, Q + T]}. */
    public NDArray lmAttentionMask(NDArray attentionMask) {
        long b = attentionMask.getShape().get(0);
        NDArray ones = attentionMask.getManager().ones(new Shape(b, numQueryTokens()), DataType.INT64);
        return ones.concat(attentionMask.toType(DataType.INT64, false), 1);
    }

    /** Full-forward logits {@code [B, Q + T, V]} (float32) for images and a (left-padded) prompt. */
    public NDArray logits(NDArray pixelValues, NDArray inputIds, NDArray attentionMask) {
        return decoder.forward(lmInputsEmbeds(softPrompt(pixelValues), inputIds), lmAttentionMask(attentionMask), null);
    }

    /** A manager for one call's arrays on this model's device (close it after the call). */
    public NDManager newCallManager() {
        return NDManager.newBaseManager(device());
    }

    @Override
    public void close() {
        decoder.close();
        vision.close();
        qformer.close();
        visionKernels.close();
        store.close();
    }
}
