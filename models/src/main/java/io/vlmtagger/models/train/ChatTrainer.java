package io.vlmtagger.models.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.config.LlavaConfig;
import io.vlmtagger.models.dataset.CaptionGrammar;
import io.vlmtagger.models.dataset.QaPair;
import io.vlmtagger.models.dataset.ShapesDataset;
import io.vlmtagger.models.preprocess.ImagePreprocessor;
import io.vlmtagger.models.text.LlavaChatTemplate;
import io.vlmtagger.models.text.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains the tiny LLaVA chat model on freshly generated scenes, one question per image (type drawn
 * uniformly), prompts rendered by the serving {@link LlavaChatTemplate} so the ids are exactly
 * those the chat pipeline will build. Teacher forcing; cross-entropy on the answer and its
 * {@code </s>} only. Writes the HuggingFace checkpoint directory at the end.
 */
public final class ChatTrainer {
    static final int MAX_POSITIONS = 128;
    private final TrainOptions options;

    public ChatTrainer(TrainOptions options) {
        this.options = options;
    }

    public TrainingRun train(Consumer<String> log) throws IOException {
        Path dir = options.output();
        TinyConfigs.Sizes sizes = options.sizes();
        CheckpointWriter.writeTextAndImageFiles(dir, true, sizes.imageSize(), MAX_POSITIONS);
        CheckpointWriter.writeJson(dir.resolve("config.json"), TinyConfigs.llava(sizes, MAX_POSITIONS));
        LlavaConfig config = LlavaConfig.load(dir);
        // a different seed from the captioner's: the chat model sees other scenes
        ShapesDataset data = ShapesDataset.builder().setSeed(options.seed() + 1000).optImageSize(sizes.imageSize()).build();
        ImagePreprocessor preprocessor = ImagePreprocessor.fromCheckpoint(dir);
        long start = System.nanoTime();
        try (NDManager root = NDManager.newBaseManager();
                TextTokenizer tokenizer = TextTokenizer.fromCheckpoint(dir);
                ParameterSet params = ParameterSet.initializing(root, options.seed() * 31 + 11)) {
            LlavaChatTemplate template = LlavaChatTemplate.builder().setTokenizer(tokenizer).build();
            LlavaTrainModel model = new LlavaTrainModel(config, params);
            List<Float> losses = TrainLoop.run("chat", options, params, data, preprocessor,
                    (batch, m) -> loss(model, tokenizer, template, batch, data, m), log, () -> snapshot(dir, params));
            CheckpointWriter.writeWeights(dir, params.all());
            return new TrainingRun(losses, (System.nanoTime() - start) / 1e9, params.count(), dir);
        }
    }

    /** The question asked about scene {@code index} in training (type uniform, then the grammar's choice). */
    static QaPair trainingQuestion(ShapesDataset data, int index) {
        Random random = new Random(data.random(index).nextLong() ^ 0x5DEECE66DL);
        String type = CaptionGrammar.QUESTION_TYPES.get(random.nextInt(CaptionGrammar.QUESTION_TYPES.size()));
        return CaptionGrammar.question(data.scene(index), type, random);
    }

    /**
     * Teacher-forced answer loss: rows are {@code [prompt before <image> ; image features ; rest of
     * the prompt ; answer </s> ; right padding]}; the image token sits at the same index in every
     * prompt (no history, no system prompt), so the merge is three batched concatenations.
     */
    static NDArray loss(LlavaTrainModel model, TextTokenizer tokenizer, LlavaChatTemplate template, SceneBatch batch,
            ShapesDataset data, NDManager m) {
        int b = batch.scenes().size();
        long[][] prompts = new long[b][];
        long[][] answers = new long[b][];
        int imageAt = -1;
        int tail = 0;
        for (int r = 0; r < b; r++) {
            QaPair qa = trainingQuestion(data, batch.scenes().get(r).index());
            prompts[r] = template.tokenize(List.of(), qa.question(), MAX_POSITIONS).ids();
            long[] a = tokenizer.encode(qa.answer());
            answers[r] = java.util.Arrays.copyOf(a, a.length + 1);
            answers[r][a.length] = TinyVocabulary.EOS_ID;
            int at = indexOf(prompts[r], TinyVocabulary.IMAGE_ID);
            if (imageAt >= 0 && at != imageAt) {
                throw new IllegalStateException("image token at " + at + " in row " + r + ", " + imageAt + " before");
            }
            imageAt = at;
            tail = Math.max(tail, prompts[r].length - at - 1 + answers[r].length);
        }
        long[] head = new long[b * imageAt];
        long[] rest = new long[b * tail];
        long[] mask = new long[b * tail];
        for (int r = 0; r < b; r++) {
            System.arraycopy(prompts[r], 0, head, r * imageAt, imageAt);
            int t = 0;
            for (int i = imageAt + 1; i < prompts[r].length; i++, t++) {
                rest[r * tail + t] = prompts[r][i];
                mask[r * tail + t] = 1;
            }
            for (long id : answers[r]) {
                rest[r * tail + t] = id;
                mask[r * tail + t++] = 1;
            }
        }
        NDArray features = model.imageFeatures(batch.pixels(m)); // [B, N, H]
        int n = (int) features.getShape().get(1);
        NDArray embeds = NDArrays.concat(new NDList(
                model.embed(m.create(head, new Shape(b, imageAt))), features,
                model.embed(m.create(rest, new Shape(b, tail)))), 1); // [B, S, H]
        int s = imageAt + n + tail;
        long[] fullMask = new long[b * s];
        long[] positions = new long[b * s];
        long[] target = new long[b * s];
        float[] weight = new float[b * s];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < s; i++) {
                positions[r * s + i] = i;
                int restAt = i - imageAt - n;
                fullMask[r * s + i] = restAt < 0 ? 1 : mask[r * tail + restAt];
            }
            // logits at position p predict the token at p + 1: score the answer tokens and </s>
            int answerStart = imageAt + n + (prompts[r].length - imageAt - 1);
            for (int j = 0; j < answers[r].length; j++) {
                int p = answerStart + j - 1;
                target[r * s + p] = answers[r][j];
                weight[r * s + p] = 1f;
            }
        }
        NDArray logits = model.logits(embeds, m.create(fullMask, new Shape(b, s)), m.create(positions, new Shape(b, s)));
        return TrainBlocks.crossEntropy(logits, target, weight);
    }

    private static int indexOf(long[] ids, long id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        throw new IllegalStateException("prompt has no image token " + id);
    }

    private static void snapshot(Path dir, ParameterSet params) {
        try {
            CheckpointWriter.writeWeights(dir, params.all());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write a snapshot into " + dir, e);
        }
    }
}
