package io.vlmtagger.models.pipeline;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.blip2.Blip2Model;
import io.vlmtagger.models.generate.CausalDecoder;
import io.vlmtagger.models.preprocess.ImagePreprocessor;
import io.vlmtagger.models.runtime.SharedModelRegistry;
import io.vlmtagger.models.text.TextTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * BLIP-2 captioning on a HuggingFace checkpoint directory ({@code config.json}, safetensors,
 * {@code tokenizer.json}, {@code preprocessor_config.json}):
 *
 * <pre>{@code
 * try (ImageCaptioner captioner = Blip2Captioner.builder().setCheckpoint(dir).optDevice("cpu").build()) {
 *     PixelValues px = captioner.preprocess(jpegBytes);
 *     String text = captioner.caption(List.of(CaptionRequest.of(px)), GenerationOptions.greedy(20)).get(0).text();
 * }
 * }</pre>
 *
 * <p>The weights are shared through a {@link SharedModelRegistry} (by default the per-JVM one):
 * handles on the same (checkpoint, device, dtype) share one loaded model, and {@link #close()}
 * releases this handle's reference. Thread-safe: concurrent {@link #caption} calls each run in
 * their own native memory scope.
 */
public final class Blip2Captioner implements ImageCaptioner {
    private final SharedModelRegistry.Lease<Blip2Model> lease;
    private final TextTokenizer tokenizer;
    private final ImagePreprocessor preprocessor;
    private final CaptionPipeline pipeline;
    private final ModelInfo info;

    private Blip2Captioner(VisionLanguageSetup setup, SharedModelRegistry.Lease<Blip2Model> lease, TextTokenizer tokenizer) {
        this.lease = lease;
        this.tokenizer = tokenizer;
        this.preprocessor = setup.preprocessor();
        this.info = setup.info();
        Blip2Model model = lease.get();
        this.pipeline = new CaptionPipeline(new SoftPromptModel() {
            @Override
            public NDArray softPrompt(NDArray pixelValues) {
                return model.softPrompt(pixelValues);
            }

            @Override
            public CausalDecoder decoder() {
                return model.decoder();
            }

            @Override
            public NDManager newCallManager() {
                return model.newCallManager();
            }

            @Override
            public DataType dataType() {
                return model.dataType();
            }
        }, tokenizer, setup.nanoClock());
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public PixelValues preprocess(byte[] encodedImage) throws ImageDecodeException {
        return preprocessor.preprocess(encodedImage);
    }

    @Override
    public List<GenerationResult> caption(List<CaptionRequest> requests, GenerationOptions options) {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(options, "options");
        lease.get(); // fails clearly after close()
        return pipeline.caption(requests, options);
    }

    /** Captions from prompt ids given as they are (bos first); for parity checks and tests. */
    List<GenerationResult> captionIds(long[][] promptIds, List<PixelValues> images, GenerationOptions options) {
        lease.get();
        return pipeline.captionIds(promptIds, images, options);
    }

    @Override
    public void close() {
        tokenizer.close();
        lease.close();
    }

    /** Builder: {@code setCheckpoint} is required. */
    public static final class Builder extends VisionLanguageSetup.Builder<Builder> {
        private Builder() {}

        @Override
        Builder self() {
            return this;
        }

        public Blip2Captioner build() {
            return open("Blip2Captioner", k -> Blip2Model.builder().setCheckpoint(k.checkpoint())
                    .optDevice(k.device().toDevice(Engine.getInstance())).optDataType(k.dtype()).build(), Blip2Captioner::new);
        }
    }
}
