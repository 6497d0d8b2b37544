package io.vlmtagger.models.idefics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.clip.ClipVisionTower;
import io.vlmtagger.models.generate.CausalDecoder;
import io.vlmtagger.models.weights.ModelBuilder;
import io.vlmtagger.models.weights.WeightStore;
import java.nio.file.Path;

/**
 * IDEFICS v1 ({@code IdeficsForVisionText2Text}, the open Flamingo) on a HuggingFace checkpoint as
 * it is ({@code HuggingFaceM4/idefics-9b}, {@code idefics-9b-instruct}, {@code idefics-80b*}):
 * a CLIP vision tower ({@link ClipVisionTower}, shared with LLaVA; last hidden state with CLS, no
 * post layernorm), an optional {@link PerceiverResampler}, and {@link IdeficsTextModel} (Llama
 * layers with gated cross-attention blocks).
 *
 * <p>Images are not spliced into the token sequence: {@code <image>} is an ordinary token, and
 * each position reads the image it may attend ({@link ImageAttentionMasks}) through the gated
 * blocks. Steps: {@link #imageStates} (once per request) -> {@link #decoder} (a {@link
 * CausalDecoder} for the shared generator) or {@link #forward} (full logits).
 *
 * <p>Holds weights only (thread-safe); per-call arrays live in the inputs' manager.
 */
public final class IdeficsModel implements AutoCloseable {
    private final IdeficsConfig config;
    private final WeightStore store;
    private final ClipVisionTower visionTower;
    private final PerceiverResampler resampler;
    private final IdeficsTextModel textModel;

    private IdeficsModel(IdeficsConfig config, WeightStore store) {
        this.config = config;
        this.store = store;
        this.visionTower = new ClipVisionTower(store.weights("model.vision_model."), config.vision());
        this.resampler = config.useResampler()
                ? new PerceiverResampler(store.weights("model.perceiver_resampler."), config.perceiver(),
                        config.vision().hiddenSize())
                : null;
        this.textModel = new IdeficsTextModel(store.weights("model."), store.weights("lm_head."), config);
    }

    /** Loads an IDEFICS checkpoint: {@code setCheckpoint} required; CPU float32 by default. */
    public static ModelBuilder<IdeficsConfig, IdeficsModel> builder() {
        return new ModelBuilder<>("IdeficsModel", IdeficsConfig::load, b -> b, IdeficsModel::new);
    }

    /**
     * The model over weights already in a store (e.g. {@link WeightStore#ofArrays}: parameters being
     * trained); closing the model closes the store.
     */
    public static IdeficsModel of(IdeficsConfig config, WeightStore store) {
        return new IdeficsModel(config, store);
    }

    /** Loads the checkpoint in {@code dir} on the CPU in float32. */
    public static IdeficsModel load(Path dir) {
        return builder().setCheckpoint(dir).build();
    }

    public IdeficsConfig config() {
        return config;
    }

    /** The compute dtype of the weights. */
    public DataType dataType() {
        return store.dataType();
    }

    /** A new manager on the weights' device for one call's arrays (close it when the call ends). */
    public NDManager newCallManager() {
        return NDManager.newBaseManager(store.device());
    }

    public ClipVisionTower visionTower() {
        return visionTower;
    }

    /** The resampler, or null when {@code use_resampler} is false (the vision tokens are used as they are). */
    public PerceiverResampler resampler() {
        return resampler;
    }

    public IdeficsTextModel textModel() {
        return textModel;
    }

    /**
     * The vision encoder's last hidden state of every image, {@code [B, N, 1 + patches, D]}.
     *
     * @param pixelValues {@code [B, N, C, H, W]}, preprocessed; unused slots may be zeros
     */
    public NDArray visionLastHiddenState(NDArray pixelValues) {
        Shape s = pixelValues.getShape();
        if (s.dimension() != 5) {
            throw new IllegalArgumentException("pixel values must be [B, N_images, C, H, W], got " + s);
        }
        NDArray flat = pixelValues.reshape(s.get(0) * s.get(1), s.get(2), s.get(3), s.get(4)); // image n of row b = b*N+n
        NDArray last = visionTower.lastHiddenState(flat);
        return last.reshape(s.get(0), s.get(1), last.getShape().get(1), last.getShape().get(2));
    }

    /**
     * Per image, what cross-attention reads: the resampler's latents ({@code [B, N, n_latents, D]})
     * or, without a resampler, the vision tokens.
     */
    public NDArray perImageStates(NDArray visionLastHiddenState) {
        if (resampler == null) {
            return visionLastHiddenState;
        }
        Shape s = visionLastHiddenState.getShape();
        NDArray out = resampler.forward(visionLastHiddenState.reshape(s.get(0) * s.get(1), s.get(2), s.get(3)));
        return out.reshape(s.get(0), s.get(1), out.getShape().get(1), out.getShape().get(2));
    }

    /** Image states {@code [B, N * tokensPerImage, D]}, image-major (image 0's rows first), computed once per request. */
    public NDArray imageStates(NDArray pixelValues) {
        NDArray perImage = perImageStates(visionLastHiddenState(pixelValues));
        Shape s = perImage.getShape();
        return perImage.reshape(s.get(0), s.get(1) * s.get(2), s.get(3));
    }

    /**
     * The text model bound to these images, for the generator or a full forward.
     *
     * @param imageStates from {@link #imageStates}
     * @param imageAttentionMask {@code [B, T, N]} 0/1 over the prompt ({@link ImageAttentionMasks#forPrompt})
     */
    public ImageConditionedDecoder decoder(NDArray imageStates, NDArray imageAttentionMask) {
        return new ImageConditionedDecoder(textModel, config, imageStates, imageAttentionMask);
    }

    /** Full logits {@code [B, T, vocab + additional]} (float32), no cache. */
    public NDArray forward(NDArray pixelValues, NDArray inputIds, NDArray attentionMask, NDArray imageAttentionMask) {
        ImageConditionedDecoder d = decoder(imageStates(pixelValues), imageAttentionMask);
        return d.forward(d.embed(inputIds), attentionMask, null);
    }

    @Override
    public void close() {
        textModel.close();
        visionTower.close();
        store.close();
    }
}
