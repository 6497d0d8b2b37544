package io.vlmtagger.models.pipeline;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.ExemplarFeatures;
import io.vlmtagger.models.api.FewShotAnswer;
import io.vlmtagger.models.api.FewShotQuery;
import io.vlmtagger.models.api.FewShotTagger;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.LabeledExample;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.generate.GeneratedSequences;
import io.vlmtagger.models.generate.GenerationInput;
import io.vlmtagger.models.generate.Generator;
import io.vlmtagger.models.idefics.IdeficsConfig;
import io.vlmtagger.models.idefics.IdeficsModel;
import io.vlmtagger.models.idefics.ImageAttentionMasks;
import io.vlmtagger.models.preprocess.ImagePreprocessor;
import io.vlmtagger.models.preprocess.PreprocessorConfig;
import io.vlmtagger.models.preprocess.Resample;
import io.vlmtagger.models.runtime.ComputeDtype;
import io.vlmtagger.models.runtime.DeviceSpec;
import io.vlmtagger.models.runtime.ModelKey;
import io.vlmtagger.models.runtime.SharedModelRegistry;
import io.vlmtagger.models.text.TextTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Few-shot tagging with IDEFICS (Flamingo): the exemplars and the query image go into one
 * interleaved prompt ({@link FewShotPrompt}), greedy generation completes the query's {@code Tags:}
 * line, and the answer is parsed into tags.
 *
 * <p>Exemplars are prepared once ({@link #prepare}): their images go through the vision tower and
 * the resampler, and the per-image states are kept on the heap with the exemplars' part of the
 * prompt, so a query runs only its own image through the vision side. Each image's states depend
 * on that image alone, so this gives the states of the whole interleaved prompt. A batch ({@link
 * #tag(List)}) left-pads the rows' prompts and gives every row as many image slots as the row with
 * the most exemplars (unused slots are zeros that no token attends). Keeping the states on the heap
 * costs one host-to-device copy of {@code exemplars x tokensPerImage x hidden} floats per row and
 * call, and frees callers from native-memory lifetimes: a cached set may be dropped while a batch
 * still uses it.
 *
 * <p>The weights, tokenizer and preprocessor are shared; each call has its own arrays:
 * thread-safe. Loaded with {@link #load}, the weights are shared per (checkpoint, device, dtype)
 * through the per-JVM {@link SharedModelRegistry}, as the other models' are.
 */
public final class IdeficsFewShotTagger implements FewShotTagger {
    private final IdeficsModel model;
    private final AutoCloseable owner;
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
    private final long[] queryPart;

    private IdeficsFewShotTagger(Builder b) {
        this.model = b.model;
        this.owner = b.owner != null ? b.owner : b.model;
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
        this.queryPart = FewShotPrompt.queryPart(tokenizer::encode, fakeTokenId, imageTokenId);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads an IDEFICS checkpoint directory (config, weights, {@code tokenizer.json}) as a tagger;
     * taggers on the same (checkpoint, device, dtype) share one copy of the weights.
     *
     * @param device {@code cpu}, {@code gpu}, {@code gpu:N}
     * @param dtype {@code float32}, {@code float16}, {@code auto} (float16 on a GPU that has it)
     */
    public static IdeficsFewShotTagger load(Path checkpoint, String device, String dtype) {
        DeviceSpec spec = DeviceSpec.parse(device);
        DataType type = ComputeDtype.parse(dtype).resolve(spec);
        ModelKey key = ModelKey.of(checkpoint, spec, type);
        SharedModelRegistry.Lease<IdeficsModel> lease = SharedModelRegistry.global().acquire(key,
                k -> IdeficsModel.builder().setCheckpoint(k.checkpoint())
                        .optDevice(k.device().toDevice(Engine.getInstance())).optDataType(k.dtype()).build());
        TextTokenizer tokenizer = null;
        try {
            tokenizer = TextTokenizer.fromCheckpoint(key.checkpoint());
            IdeficsModel model = lease.get();
            Builder b = builder().setModel(model).setTokenizer(tokenizer).setPreprocessor(preprocessorFor(model.config()))
                    .optModelInfo(new ModelInfo(key.checkpoint().getFileName().toString(),
                            CheckpointRevision.of(key.checkpoint()), spec.toString(),
                            type.toString().toLowerCase(Locale.ROOT)));
            b.owner = lease;
            return b.build();
        } catch (RuntimeException e) {
            if (tokenizer != null) {
                tokenizer.close();
            }
            lease.close();
            throw e;
        }
    }

    @Override
    public PixelValues preprocess(byte[] encodedImage) throws ImageDecodeException {
        return preprocessor.preprocess(encodedImage);
    }

    @Override
    public ExemplarFeatures prepare(List<LabeledExample> examples) throws ImageDecodeException {
        PixelValues[] images = new PixelValues[examples.size()];
        for (int i = 0; i < images.length; i++) {
            images[i] = preprocessor.preprocess(examples.get(i).image());
        }
        long[] prompt = FewShotPrompt.exemplarPart(examples, instruction, tokenizer::encode, bos, fakeTokenId,
                imageTokenId);
        if (images.length == 0) {
            return new Exemplars(this, prompt, new float[0], 0, 0, 0);
        }
        try (NDManager call = model.newCallManager()) {
            NDArray states = perImageStates(stack(call, images, 1, images.length)); // [1, E, L, D]
            Shape s = states.getShape();
            float[] heap = states.toType(DataType.FLOAT32, false).toFloatArray();
            return new Exemplars(this, prompt, heap, images.length, (int) s.get(2), (int) s.get(3));
        }
    }

    @Override
    public List<FewShotAnswer> tag(List<FewShotQuery> queries) {
        long start = System.nanoTime();
        int rows = queries.size();
        if (rows == 0) {
            return List.of();
        }
        List<Exemplars> sets = new ArrayList<>(rows);
        PixelValues[] images = new PixelValues[rows];
        int slots = 1;
        for (int b = 0; b < rows; b++) {
            sets.add(own(queries.get(b).exemplars()));
            images[b] = queries.get(b).image();
            slots = Math.max(slots, sets.get(b).count + 1);
        }
        long[][] ids = new long[rows][];
        int width = 0;
        for (int b = 0; b < rows; b++) {
            long[] head = sets.get(b).prompt;
            ids[b] = Arrays.copyOf(head, head.length + queryPart.length);
            System.arraycopy(queryPart, 0, ids[b], head.length, queryPart.length);
            width = Math.max(width, ids[b].length);
        }
        long[][] mask = new long[rows][width];
        long pad = model.config().padTokenId();
        long[] flatIds = new long[rows * width];
        long[] flatMask = new long[rows * width];
        for (int b = 0; b < rows; b++) { // left padding
            int padding = width - ids[b].length;
            long[] padded = new long[width];
            Arrays.fill(padded, 0, padding, pad);
            System.arraycopy(ids[b], 0, padded, padding, ids[b].length);
            ids[b] = padded;
            Arrays.fill(mask[b], padding, width, 1L);
            System.arraycopy(padded, 0, flatIds, b * width, width);
            System.arraycopy(mask[b], 0, flatMask, b * width, width);
        }
        try (NDManager call = model.newCallManager()) {
            NDArray queryStates = perImageStates(stack(call, images, rows, 1)); // [B, 1, L, D]
            NDArray imageStates = rowStates(call, sets, queryStates, slots); // [B, slots * L, D]
            NDArray imageMask = ImageAttentionMasks.toArray(call,
                    ImageAttentionMasks.forPrompt(ids, mask, imageTokenId, eos, slots));
            Generator generator = Generator.builder().setDecoder(model.decoder(imageStates, imageMask))
                    .setEosTokenIds(eosIds).optPadTokenId(model.config().padTokenId()).build();
            GeneratedSequences out = generator.generate(GenerationInput.builder()
                    .setInputIds(call.create(flatIds, new Shape(rows, width)))
                    .setAttentionMask(call.create(flatMask, new Shape(rows, width)))
                    .build(), options);
            double ms = (System.nanoTime() - start) / 1e6;
            List<FewShotAnswer> answers = new ArrayList<>(rows);
            for (int b = 0; b < rows; b++) {
                String text = tokenizer.decode(out.tokens(b));
                answers.add(new FewShotAnswer(FewShotPrompt.parseTags(text), text, ms));
            }
            return answers;
        }
    }

    /** Per row: its exemplars' states, its query's, zeros for the slots it does not use. */
    private NDArray rowStates(NDManager call, List<Exemplars> sets, NDArray queryStates, int slots) {
        Shape q = queryStates.getShape();
        long tokens = q.get(2);
        long hidden = q.get(3);
        DataType type = queryStates.getDataType();
        NDList rows = new NDList(sets.size());
        for (int b = 0; b < sets.size(); b++) {
            Exemplars set = sets.get(b);
            if (set.count > 0 && (set.tokens != tokens || set.hidden != hidden)) {
                throw new IllegalArgumentException("exemplar states are [" + set.tokens + ", " + set.hidden
                        + "] per image but this model gives [" + tokens + ", " + hidden + "]");
            }
            NDList parts = new NDList(3);
            if (set.count > 0) {
                NDArray exemplars = call.create(set.states, new Shape(set.count, tokens, hidden));
                parts.add(type == DataType.FLOAT32 ? exemplars : exemplars.toType(type, false));
            }
            parts.add(queryStates.get(b)); // [1, L, D]
            int unused = slots - set.count - 1;
            if (unused > 0) {
                parts.add(call.zeros(new Shape(unused, tokens, hidden), type));
            }
            rows.add(parts.size() == 1 ? parts.head() : NDArrays.concat(parts, 0));
        }
        NDArray stacked = NDArrays.stack(rows); // [B, slots, L, D]
        return stacked.reshape(sets.size(), slots * tokens, hidden);
    }

    /** {@code [rows, perRow, L, D]} per-image states (resampler latents, or the vision tokens without one). */
    private NDArray perImageStates(NDArray pixels) {
        return model.perImageStates(model.visionLastHiddenState(pixels));
    }

    /** {@code [rows, perRow, C, H, W]} in the model's dtype from {@code rows * perRow} images, row-major. */
    private NDArray stack(NDManager call, PixelValues[] images, int rows, int perRow) {
        PixelValues first = images[0];
        return PixelBatch.stack(call, Arrays.asList(images), model.dataType())
                .reshape(rows, perRow, first.channels(), first.height(), first.width());
    }

    private Exemplars own(ExemplarFeatures features) {
        if (features instanceof Exemplars e && e.tagger == this) {
            return e;
        }
        throw new IllegalArgumentException("exemplar features were prepared by another tagger ("
                + features.getClass().getName() + "): prepare them with this tagger's prepare()");
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
        try {
            owner.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the IDEFICS model failed", e);
        }
    }

    /** Prepared exemplars: the prompt up to the query and the per-image states {@code [count, tokens, hidden]}. */
    private record Exemplars(IdeficsFewShotTagger tagger, long[] prompt, float[] states, int count, int tokens,
            int hidden) implements ExemplarFeatures {
        @Override
        public long sizeBytes() {
            return 4L * states.length + 8L * prompt.length + 64;
        }
    }

    /** Builder: {@code setModel}, {@code setTokenizer}, {@code setPreprocessor} required; the tagger closes the model. */
    public static final class Builder {
        private IdeficsModel model;
        private AutoCloseable owner;
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
