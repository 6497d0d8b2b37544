package io.vlmtagger.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.config.Blip2Config;
import io.vlmtagger.training.dataset.Scene;
import io.vlmtagger.training.dataset.ShapesDataset;
import io.vlmtagger.models.preprocess.ImagePreprocessor;
import io.vlmtagger.models.text.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Trains the tiny BLIP-2 captioner on freshly generated scenes (every step sees new ones) with
 * teacher forcing: the language model reads {@code [soft prompt ; <s> caption]} and is scored
 * (cross-entropy) on predicting {@code caption </s>}, plus the vision tower's {@link CellProbe}
 * loss. Writes the HuggingFace
 * checkpoint directory at the end.
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
        CheckpointWriter.writeTextAndImageFiles(dir, false, sizes.imageSize(), maxPositions);
        CheckpointWriter.writeJson(dir.resolve("config.json"), TinyConfigs.blip2(sizes, options.queries(), maxPositions));
        Blip2Config config = Blip2Config.load(dir);
        ShapesDataset data = ShapesDataset.builder().setSeed(options.seed()).optImageSize(sizes.imageSize()).build();
        ImagePreprocessor preprocessor = ImagePreprocessor.fromCheckpoint(dir);
        long start = System.nanoTime();
        try (NDManager root = NDManager.newBaseManager();
                TextTokenizer tokenizer = TextTokenizer.fromCheckpoint(dir);
                ParameterSet params = ParameterSet.create(root, options.seed() * 31 + 7, options.initFrom())) {
            Blip2TrainModel model = new Blip2TrainModel(config, params);
            CellProbe probe = CellProbe.of(params, options);
            List<Float> losses = TrainLoop.run("captioner", options, params, data, preprocessor,
                    (batch, m) -> loss(model, probe, tokenizer, batch, m), log,
                    () -> snapshot(dir, params));
            CheckpointWriter.writeWeights(dir, params.all());
            return new TrainingRun(losses, (System.nanoTime() - start) / 1e9, params.checkpointCount(), dir);
        }
    }

    /**
     * Teacher-forced caption loss of one batch, plus the {@link CellProbe} loss on the vision tower's
     * patch tokens when {@code probe} is not null.
     */
    static NDArray loss(Blip2TrainModel model, CellProbe probe, TextTokenizer tokenizer, SceneBatch batch,
            NDManager m) {
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
        NDArray image = model.vision(batch.pixels(m)); // [B, 1 + N, D]
        NDArray soft = model.softPromptOf(image); // [B, Q, H]
        int q = (int) soft.getShape().get(1);
        NDArray text = model.embed(m.create(input, new Shape(b, width))); // [B, T, H]
        NDArray embeds = soft.concat(text, 1);
        NDArray mask = m.ones(new Shape(b, q + width), ai.djl.ndarray.types.DataType.INT64);
        NDArray logits = model.logits(embeds, mask).get(":, {}:, :", q); // [B, T, V]
        NDArray loss = TrainBlocks.crossEntropy(logits, target, weight);
        return CellProbe.addTo(probe, loss, image.get(":, 1:, :"), batch.scenes()); // class token dropped
    }

    private static void snapshot(Path dir, ParameterSet params) {
        try {
            CheckpointWriter.writeWeights(dir, params.all());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write a snapshot into " + dir, e);
        }
    }
}
