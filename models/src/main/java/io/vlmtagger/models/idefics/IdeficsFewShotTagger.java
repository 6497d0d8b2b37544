package io.vlmtagger.models.idefics;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.FewShotAnswer;
import io.vlmtagger.models.api.FewShotTagger;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.LabeledExample;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.generate.GeneratedSequences;
import io.vlmtagger.models.generate.GenerationInput;
import io.vlmtagger.models.generate.Generator;
import io.vlmtagger.models.preprocess.ImagePreprocessor;
import io.vlmtagger.models.preprocess.PreprocessorConfig;
import io.vlmtagger.models.preprocess.Resample;
import io.vlmtagger.models.runtime.ComputeDtype;
import io.vlmtagger.models.runtime.DeviceSpec;
import io.vlmtagger.models.text.TextTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Few-shot tagging with IDEFICS (Flamingo): the exemplars and the query image go into one
 * interleaved prompt ({@link FewShotPrompt}), greedy generation completes the query's {@code Tags:}
 * line, and the answer is parsed into tags. The weights, tokenizer and preprocessor are shared;
 * each call has its own arrays: thread-safe.
 *
 * <p>Cost grows with the exemplar count: every exemplar is one more image through the vision
 * tower and resampler, and ~10 more prompt tokens; keep the exemplars per label set small (the
 * pipeline bounds them).
 */
public final class IdeficsFewShotTagger implements FewShotTagger {
    private final IdeficsModel model;
    private final TextTokenizer tokenizer;
    private final ImagePreprocessor preprocessor;
    private final long[] eosIds;
    private final GenerationOptions options;
    private final String instruction;
    private final ModelInfo info;
    private final long fakeTokenId;
    private final long imageTokenId;
    private final long bos;
    private final long eos;

    private IdeficsFewShotTagger(Builder b) {
        this.model = b.model;
        this.tokenizer = b.tokenizer;
        this.preprocessor = b.preprocessor;
        this.options = b.options;
        this.instruction = b.instruction;
        this.info = b.info;
        this.fakeTokenId = tokenizer.tokenId("<fake_token_around_image>");
        this.imageTokenId = tokenizer.tokenId("<image>");
        this.bos = tokenizer.specialIds().bos().orElse(-1);
        long[] fromTokenizer = tokenizer.specialIds().eos();
        this.eosIds = fromTokenizer == null || fromTokenizer.length == 0
                ? new long[] {model.config().text().eosTokenId()} : fromTokenizer.clone();
        this.eos = eosIds[0];
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads an IDEFICS checkpoint directory (config, weights, {@code tokenizer.json}) as a tagger.
     *
     * @param device {@code cpu}, {@code gpu}, {@code gpu:N}
     * @param dtype {@code float32}, {@code float16}, {@code auto} (float16 on a GPU that has it)
     */
    public static IdeficsFewShotTagger load(Path checkpoint, String device, String dtype) {
        DeviceSpec spec = DeviceSpec.parse(device);
        DataType type = ComputeDtype.parse(dtype).resolve(spec);
        IdeficsModel model = IdeficsModel.builder().setCheckpoint(checkpoint)
                .optDevice(spec.toDevice(Engine.getInstance())).optDataType(type).build();
        try {
            return builder().setModel(model).setTokenizer(TextTokenizer.fromCheckpoint(checkpoint))
                    .setPreprocessor(preprocessorFor(model.config()))
                    .optModelInfo(new ModelInfo(checkpoint.getFileName().toString(), "unversioned", spec.toString(),
                            type.toString().toLowerCase(java.util.Locale.ROOT)))
                    .build();
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public FewShotAnswer tag(List<LabeledExample> examples, byte[] queryImage) throws ImageDecodeException {
        long start = System.nanoTime();
        PixelValues[] images = new PixelValues[examples.size() + 1];
        for (int i = 0; i < examples.size(); i++) {
            images[i] = preprocessor.preprocess(examples.get(i).image());
        }
        images[examples.size()] = preprocessor.preprocess(queryImage);
        FewShotPrompt.Ids prompt = FewShotPrompt.build(examples, instruction, tokenizer::encode, bos, fakeTokenId,
                imageTokenId);
        try (NDManager call = model.newCallManager()) {
            NDArray pixels = stack(call, images); // [1, N, C, H, W]
            NDArray ids = call.create(prompt.ids(), new Shape(1, prompt.ids().length));
            long[] ones = new long[prompt.ids().length];
            Arrays.fill(ones, 1L);
            NDArray mask = call.create(ones, new Shape(1, ones.length));
            long[][][] imageMask = ImageAttentionMasks.forPrompt(new long[][] {prompt.ids()}, new long[][] {ones},
                    imageTokenId, eos, prompt.images());
            ImageConditionedDecoder decoder = model.decoder(model.imageStates(pixels),
                    ImageAttentionMasks.toArray(call, imageMask));
            Generator generator = Generator.builder().setDecoder(decoder).setEosTokenIds(eosIds)
                    .optPadTokenId(model.config().padTokenId()).build();
            GeneratedSequences out = generator.generate(
                    GenerationInput.builder().setInputIds(ids).setAttentionMask(mask).build(), options);
            String text = tokenizer.decode(out.tokens(0));
            return new FewShotAnswer(FewShotPrompt.parseTags(text), text, (System.nanoTime() - start) / 1e6);
        }
    }

    private NDArray stack(NDManager call, PixelValues[] images) {
        PixelValues first = images[0];
        int c = first.channels();
        int h = first.height();
        int w = first.width();
        float[] all = new float[images.length * c * h * w];
        for (int i = 0; i < images.length; i++) {
            System.arraycopy(images[i].chw(), 0, all, i * c * h * w, c * h * w);
        }
        NDArray pixels = call.create(all, new Shape(1, images.length, c, h, w));
        DataType type = model.dataType();
        return type == DataType.FLOAT32 ? pixels : pixels.toType(type, false);
    }

    /**
     * IdeficsImageProcessor's preprocessing: RGB, bicubic resize to {@code image_size} square (no
     * crop), rescale 1/255, OpenAI CLIP mean/std (the values idefics-9b ships).
     */
    public static ImagePreprocessor preprocessorFor(IdeficsConfig config) {
        int size = config.vision().imageSize();
        return ImagePreprocessor.builder()
                .setConfig(new PreprocessorConfig("IdeficsImageProcessor", true, size, size, 0, Resample.BICUBIC,
                        false, 0, 0, true, 1 / 255.0, true, PreprocessorConfig.OPENAI_CLIP_MEAN,
                        PreprocessorConfig.OPENAI_CLIP_STD, true))
                .build();
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public void close() {
        tokenizer.close();
        model.close();
    }

    /** Builder: {@code setModel}, {@code setTokenizer}, {@code setPreprocessor} required. */
    public static final class Builder {
        private IdeficsModel model;
        private TextTokenizer tokenizer;
        private ImagePreprocessor preprocessor;
        private GenerationOptions options = GenerationOptions.greedy(24);
        private String instruction = FewShotPrompt.DEFAULT_INSTRUCTION;
        private ModelInfo info;

        private Builder() {}

        public Builder setModel(IdeficsModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        public Builder setTokenizer(TextTokenizer tokenizer) {
            this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
            return this;
        }

        public Builder setPreprocessor(ImagePreprocessor preprocessor) {
            this.preprocessor = Objects.requireNonNull(preprocessor, "preprocessor");
            return this;
        }

        /** Generation settings (default greedy, 24 new tokens: a tag line is short). */
        public Builder optGenerationOptions(GenerationOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /** The first prompt line (default {@link FewShotPrompt#DEFAULT_INSTRUCTION}). */
        public Builder optInstruction(String instruction) {
            this.instruction = Objects.requireNonNull(instruction, "instruction");
            return this;
        }

        public Builder optModelInfo(ModelInfo info) {
            this.info = info;
            return this;
        }

        public IdeficsFewShotTagger build() {
            if (model == null || tokenizer == null || preprocessor == null) {
                throw new IllegalStateException("IdeficsFewShotTagger needs setModel(IdeficsModel), "
                        + "setTokenizer(TextTokenizer.fromCheckpoint(dir)) and setPreprocessor("
                        + "IdeficsFewShotTagger.preprocessorFor(model.config()))");
            }
            if (info == null) {
                info = new ModelInfo("idefics", "unknown", "cpu", model.dataType().toString());
            }
            return new IdeficsFewShotTagger(this);
        }
    }
}
