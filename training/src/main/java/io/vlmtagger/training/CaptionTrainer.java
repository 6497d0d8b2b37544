package io.vlmtagger.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.blip2.Blip2Model;
import io.vlmtagger.models.config.Blip2Config;
import io.vlmtagger.models.preprocess.ImagePreprocessor;
import io.vlmtagger.models.text.TextTokenizer;
import io.vlmtagger.training.dataset.Scene;
import io.vlmtagger.training.dataset.ShapesDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Trains the tiny BLIP-2 captioner on freshly generated scenes (every step sees new ones) with
 * teacher forcing, THROUGH the serving {@link Blip2Model}: each step builds it over the parameters
 * being trained ({@link ParameterSet#stepStore}) inside the gradient collector, so the vision
 * encoder, Q-Former, projection and OPT decoder that compute the loss are the ones that serve.
 * The language model reads {@code [soft prompt ; <s> caption]} and is scored (cross-entropy) on
 * predicting {@code caption </s>}, plus the {@link CellProbe} loss on the vision encoder's patch
 * tokens. Writes the HuggingFace checkpoint directory at the end.
 */
public final class CaptionTrainer {
    private final TrainOptions options;

    public CaptionTrainer(TrainOptions options) {
        this.options = options;
    }

    public TrainingRun train(Consumer<String> log) throws IOException {
        Path dir = options.output();
        TinyConfigs.Sizes sizes = options.sizes();
        int maxPositions = 64;
        CheckpointWriter.writeTinyFiles(dir, TinyConfigs.blip2(sizes, options.queries(), maxPositions), false,
                sizes.imageSize(), maxPositions);
        Blip2Config config = Blip2Config.load(dir);
        ShapesDataset data = ShapesDataset.builder().setSeed(options.seed()).optImageSize(sizes.imageSize()).build();
        ImagePreprocessor preprocessor = ImagePreprocessor.fromCheckpoint(dir);
        long start = System.nanoTime();
        try (NDManager root = NDManager.newBaseManager();
                TextTokenizer tokenizer = TextTokenizer.fromCheckpoint(dir);
                ParameterSet params = ParameterSet.create(root, options.seed() * 31 + 7, options.initFrom())) {
            InitialWeights.blip2(params, config);
            CellProbe probe = CellProbe.of(params, options);
            List<Float> losses = TrainLoop.run("captioner", options, params, data, preprocessor,
                    step -> Blip2Model.of(config, params.stepStore(dir, step)),
                    (model, batch, step) -> loss(model, probe, tokenizer, batch, step), log,
                    () -> CheckpointWriter.snapshot(dir, params));
            CheckpointWriter.writeWeights(dir, params.all());
            return new TrainingRun(losses, (System.nanoTime() - start) / 1e9, params.checkpointCount(), dir);
        }
    }

    /** What the training forward computes: the vision encoder's output and the language model's logits. */
    record Forward(NDArray vision, NDArray logits) {}

    /**
     * The serving model's full forward, kept apart so that the parity test checks exactly what
     * training computes: pixels {@code [B, 3, H, W]} -> vision encoder output {@code [B, 1 + N, D]}
     * (post_layernorm applied) -> Q-Former -> language projection = soft prompt {@code [B, Q, H]},
     * followed by the embedding of {@code inputIds [B, T]}; logits {@code [B, Q + T, V]} for every
     * position under {@code attentionMask [B, T]} (the soft prompt is always attended).
     */
    static Forward forward(Blip2Model model, NDArray pixels, NDArray inputIds, NDArray attentionMask) {
        NDArray vision = model.visionEncode(model.visionEmbeddings(pixels));
        NDArray soft = model.languageProjection(model.qformer(vision));
        NDArray logits = model.decoder().forward(model.lmInputsEmbeds(soft, inputIds),
                model.lmAttentionMask(attentionMask), null);
        return new Forward(vision, logits);
    }

    /**
     * Teacher-forced caption loss of one batch, plus the {@link CellProbe} loss on the vision tower's
     * patch tokens when {@code probe} is not null.
     */
    static NDArray loss(Blip2Model model, CellProbe probe, TextTokenizer tokenizer, SceneBatch batch, NDManager m) {
        int b = batch.scenes().size();
        long[][] captions = new long[b][];
        int width = 0;
        for (int r = 0; r < b; r++) {
            Scene scene = batch.scenes().get(r);
            captions[r] = tokenizer.encode(scene.caption());
            width = Math.max(width, captions[r].length + 1);
        }
        long[] input = new long[b * width];
        long[] target = new long[b * width];
        float[] weight = new float[b * width];
        for (int r = 0; r < b; r++) {
            long[] c = captions[r];
            for (int t = 0; t < width; t++) {
                input[r * width + t] = t == 0 ? TinyVocabulary.BOS_ID : t - 1 < c.length ? c[t - 1] : TinyVocabulary.PAD_ID;
                target[r * width + t] = t < c.length ? c[t] : TinyVocabulary.EOS_ID;
                weight[r * width + t] = t <= c.length ? 1f : 0f;
            }
        }
        // every position attended: the padding after a caption comes later and, causally, changes nothing scored
        NDArray ids = m.create(input, new Shape(b, width));
        Forward f = forward(model, batch.pixels(m), ids, m.ones(new Shape(b, width), DataType.INT64));
        NDArray logits = f.logits().get(":, {}:, :", model.numQueryTokens()); // [B, T, V]
        NDArray loss = TrainBlocks.crossEntropy(logits, target, weight);
        return CellProbe.addTo(probe, loss, f.vision().get(":, 1:, :"), batch.scenes()); // class token dropped
    }
}
