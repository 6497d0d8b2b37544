package io.vlmtagger.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.ChatTurn;
import io.vlmtagger.models.config.LlavaConfig;
import io.vlmtagger.training.dataset.Scene;
import io.vlmtagger.training.dataset.CaptionGrammar;
import io.vlmtagger.training.dataset.QaPair;
import io.vlmtagger.training.dataset.ShapesDataset;
import io.vlmtagger.models.preprocess.ImagePreprocessor;
import io.vlmtagger.models.text.LlavaChatTemplate;
import io.vlmtagger.models.text.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains the tiny LLaVA chat model on freshly generated scenes, a conversation of one to five
 * questions per image, prompts rendered by the serving {@link LlavaChatTemplate} so the ids are exactly
 * those the chat pipeline will build. Teacher forcing; cross-entropy on the answer and its
 * {@code </s>} only, plus the vision tower's {@link CellProbe} loss. Writes the HuggingFace checkpoint directory at the end.
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
                ParameterSet params = ParameterSet.create(root, options.seed() * 31 + 11, options.initFrom())) {
            LlavaChatTemplate template = LlavaChatTemplate.builder().setTokenizer(tokenizer).build();
            LlavaTrainModel model = new LlavaTrainModel(config, params);
            CellProbe probe = CellProbe.of(params, options);
            List<Float> losses = TrainLoop.run("chat", options, params, data, preprocessor,
                    (batch, m) -> loss(model, probe, tokenizer, template, batch, data, m), log,
                    () -> snapshot(dir, params));
            CheckpointWriter.writeWeights(dir, params.all());
            return new TrainingRun(losses, (System.nanoTime() - start) / 1e9, params.checkpointCount(), dir);
        }
    }

    /**
     * The conversation about scene {@code index} in training: one to five questions of distinct
     * types in random order (every answer is scored, so a step sees several answers per image; the
     * first turn is exactly a single-question prompt).
     */
    static List<QaPair> trainingConversation(ShapesDataset data, int index) {
        Random random = new Random(data.random(index).nextLong() ^ 0x5DEECE66DL);
        List<String> types = new java.util.ArrayList<>(CaptionGrammar.QUESTION_TYPES);
        java.util.Collections.shuffle(types, random);
        int turns = 1 + random.nextInt(types.size());
        Scene scene = data.scene(index);
        List<QaPair> out = new java.util.ArrayList<>();
        for (String type : types.subList(0, turns)) {
            out.add(CaptionGrammar.question(scene, type, random));
        }
        return out;
    }

    /**
     * Teacher-forced answer loss: rows are {@code [prompt before <image> ; image features ; rest of
     * the conversation ; last answer </s> ; right padding]}, rendered by the serving template (earlier
     * turns as history); every answer and its {@code </s>} is scored. The image token sits at the
     * same index in every prompt (no system prompt), so the merge is three batched concatenations.
     */
    static NDArray loss(LlavaTrainModel model, CellProbe probe, TextTokenizer tokenizer, LlavaChatTemplate template,
            SceneBatch batch, ShapesDataset data, NDManager m) {
        int b = batch.scenes().size();
        long[][] rows = new long[b][];
        int imageAt = -1;
        int tail = 0;
        long assistant = tokenizer.tokenId("assistant");
        long colon = tokenizer.tokenId(":");
        for (int r = 0; r < b; r++) {
            List<QaPair> turns = trainingConversation(data, batch.scenes().get(r).index());
            List<ChatTurn> history = new java.util.ArrayList<>();
            for (QaPair qa : turns.subList(0, turns.size() - 1)) {
                history.add(new ChatTurn(qa.question(), qa.answer()));
            }
            QaPair last = turns.get(turns.size() - 1);
            long[] prompt = template.tokenize(history, last.question(), MAX_POSITIONS).ids();
            long[] answer = tokenizer.encode(last.answer());
            rows[r] = java.util.Arrays.copyOf(prompt, prompt.length + answer.length + 1);
            System.arraycopy(answer, 0, rows[r], prompt.length, answer.length);
            rows[r][rows[r].length - 1] = TinyVocabulary.EOS_ID;
            int at = indexOf(rows[r], TinyVocabulary.IMAGE_ID);
            if (imageAt >= 0 && at != imageAt) {
                throw new IllegalStateException("image token at " + at + " in row " + r + ", " + imageAt + " before");
            }
            imageAt = at;
            tail = Math.max(tail, rows[r].length - at - 1);
        }
        long[] head = new long[b * imageAt];
        long[] rest = new long[b * tail];
        for (int r = 0; r < b; r++) {
            System.arraycopy(rows[r], 0, head, r * imageAt, imageAt);
            System.arraycopy(rows[r], imageAt + 1, rest, r * tail, rows[r].length - imageAt - 1);
        }
        NDArray selected = model.selectedFeatures(batch.pixels(m)); // [B, N, D]
        NDArray features = model.project(selected); // [B, N, H]
        int n = (int) features.getShape().get(1);
        NDArray embeds = NDArrays.concat(new NDList(
                model.embed(m.create(head, new Shape(b, imageAt))), features,
                model.embed(m.create(rest, new Shape(b, tail)))), 1); // [B, S, H]
        int s = imageAt + n + tail;
        long[] mask = new long[b * s];
        long[] positions = new long[b * s];
        long[] target = new long[b * s];
        float[] weight = new float[b * s];
        for (int r = 0; r < b; r++) {
            int length = rows[r].length - 1 + n; // merged length of this row
            boolean inAnswer = false;
            for (int i = 0; i < s; i++) {
                positions[r * s + i] = i;
                mask[r * s + i] = i < length ? 1 : 0;
            }
            // token i of the row sits at merged position i (before the image) or i - 1 + n (after it);
            // the logits one position earlier predict it
            for (int i = imageAt + 1; i < rows[r].length; i++) {
                long id = rows[r][i];
                if (inAnswer) {
                    int p = i - 1 + n - 1;
                    target[r * s + p] = id;
                    weight[r * s + p] = 1f;
                    inAnswer = id != TinyVocabulary.EOS_ID;
                } else if (id == colon && rows[r][i - 1] == assistant) {
                    inAnswer = true;
                }
            }
        }
        NDArray logits = model.logits(embeds, m.create(mask, new Shape(b, s)), m.create(positions, new Shape(b, s)));
        NDArray loss = TrainBlocks.crossEntropy(logits, target, weight);
        return CellProbe.addTo(probe, loss, selected, batch.scenes());
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
