package io.vlmtagger.models.pipeline;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.api.ChatRequest;
import io.vlmtagger.models.api.ContinuousChat;
import io.vlmtagger.models.api.CheckpointException;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.models.generate.CausalDecoder;
import io.vlmtagger.models.llava.LlavaModel;
import io.vlmtagger.models.preprocess.ImagePreprocessor;
import io.vlmtagger.models.runtime.SharedModelRegistry;
import io.vlmtagger.models.text.LlavaChatTemplate;
import io.vlmtagger.models.text.TextTokenizer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * LLaVA-1.5 visual chat on a HuggingFace checkpoint directory ({@code config.json}, safetensors,
 * {@code tokenizer.json}, {@code preprocessor_config.json}). Prompts follow {@link
 * LlavaChatTemplate}; history is trimmed, oldest turns first, to fit {@link #maxContextTokens()}
 * with the image features and {@code maxNewTokens}. Weights are shared through a {@link
 * SharedModelRegistry}; {@link #close()} releases this handle. Thread-safe.
 */
public final class LlavaChatModel implements VisualChatModel {
    private final SharedModelRegistry.Lease<LlavaModel> lease;
    private final TextTokenizer tokenizer;
    private final ImagePreprocessor preprocessor;
    private final ChatPipeline pipeline;
    private final ModelInfo info;
    private final int maxContextTokens;

    private LlavaChatModel(VisionLanguageSetup setup, SharedModelRegistry.Lease<LlavaModel> lease, TextTokenizer tokenizer) {
        this.lease = lease;
        this.tokenizer = tokenizer;
        this.preprocessor = setup.preprocessor();
        this.info = setup.info();
        LlavaModel model = lease.get();
        this.maxContextTokens = model.config().text().maxPositionEmbeddings();
        long templateImageId = tokenizer.tokenId(LlavaChatTemplate.DEFAULT_IMAGE_TOKEN);
        if (templateImageId != model.imageTokenId()) {
            throw new CheckpointException("checkpoint " + setup.key().checkpoint() + ": the tokenizer maps "
                    + LlavaChatTemplate.DEFAULT_IMAGE_TOKEN + " to " + templateImageId + " but config.json's"
                    + " image_token_index is " + model.imageTokenId());
        }
        DataType dataType = model.weights().dataType();
        ImageFeatureModel features = new ImageFeatureModel() {
            @Override
            public NDArray imageFeatures(NDArray pixelValues) {
                return model.imageFeatures(pixelValues);
            }

            @Override
            public int featuresPerImage() {
                return model.featuresPerImage();
            }

            @Override
            public long imageTokenId() {
                return model.imageTokenId();
            }

            @Override
            public CausalDecoder decoder() {
                return model.languageModel();
            }

            @Override
            public int maxContextTokens() {
                return maxContextTokens;
            }

            @Override
            public NDManager newCallManager() {
                return NDManager.newBaseManager(model.weights().device());
            }

            @Override
            public DataType dataType() {
                return dataType;
            }
        };
        this.pipeline = new ChatPipeline(features, tokenizer, LlavaChatTemplate.builder().setTokenizer(tokenizer).build(),
                setup.nanoClock());
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

    /**
     * @throws io.vlmtagger.models.text.PromptTooLongException when a question alone does not fit
     *     the context (the whole batch fails; callers retry the others element-wise)
     */
    @Override
    public List<GenerationResult> answer(List<ChatRequest> requests, GenerationOptions options) {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(options, "options");
        lease.get();
        return pipeline.answer(requests, options);
    }

    /**
     * One decode loop thread on this handle's device; close the returned handle before this model.
     * Greedy only; the tokens equal {@link #answer}'s for the same question (up to float rounding
     * of a different batch shape).
     */
    @Override
    public Optional<ContinuousChat> openContinuous(int maxRows, int queueCapacity) {
        lease.get();
        return Optional.of(pipeline.openContinuous("llava-continuous-" + info.device().replace(":", ""),
                maxRows, queueCapacity));
    }

    /** Answers from prompt ids given as they are (bos first, one image token); for parity checks and tests. */
    List<GenerationResult> answerIds(long[][] promptIds, List<PixelValues> images, GenerationOptions options) {
        lease.get();
        return pipeline.answerIds(promptIds, images, options);
    }

    @Override
    public int maxContextTokens() {
        return maxContextTokens;
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

        public LlavaChatModel build() {
            return open("LlavaChatModel", k -> LlavaModel.builder()
                    .setCheckpoint(k.checkpoint())
                    .optDevice(k.device().toDevice(Engine.getInstance()))
                    .optDataType(k.dtype())
                    .build(), LlavaChatModel::new);
        }
    }
}
