package io.vlmtagger.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.ChatTurn;
import io.vlmtagger.models.config.LlavaConfig;
import io.vlmtagger.models.llava.LlavaModel;
import io.vlmtagger.models.llava.MergedInputs;
import io.vlmtagger.models.preprocess.ImagePreprocessor;
import io.vlmtagger.models.text.LlavaChatTemplate;
import io.vlmtagger.models.text.TextTokenizer;
import io.vlmtagger.training.dataset.CaptionGrammar;
import io.vlmtagger.training.dataset.QaPair;
import io.vlmtagger.training.dataset.Scene;
import io.vlmtagger.training.dataset.ShapesDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains the tiny LLaVA chat model on freshly generated scenes, a conversation of one to five
 * questions per image, prompts rendered by the serving {@link LlavaChatTemplate} so the ids are
 * exactly those the chat pipeline will build. Teacher forcing THROUGH the serving {@link
 * LlavaModel}: each step builds it over the parameters being trained ({@link
 * ParameterSet#stepStore}) inside the gradient collector, and the CLIP tower, projector, input merge
 * and Llama decoder that compute the loss are the ones that serve. Cross-entropy on the answer and
 * its {@code </s>} only, plus the {@link CellProbe} loss on the vision features. Writes the
 * HuggingFace checkpoint directory at the end.
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
        CheckpointWriter.writeTinyFiles(dir, TinyConfigs.llava(sizes, MAX_POSITIONS), true, sizes.imageSize(),
                MAX_POSITIONS);
        LlavaConfig config = LlavaConfig.load(dir);
        // a different seed from the captioner's: the chat model sees other scenes
        ShapesDataset data = ShapesDataset.builder().setSeed(options.seed() + 1000).optImageSize(sizes.imageSize()).build();
        ImagePreprocessor preprocessor = ImagePreprocessor.fromCheckpoint(dir);
        long start = System.nanoTime();
        try (NDManager root = NDManager.newBaseManager();
                TextTokenizer tokenizer = TextTokenizer.fromCheckpoint(dir);
                ParameterSet params = ParameterSet.create(root, options.seed() * 31 + 11, options.initFrom())) {
            LlavaChatTemplate template = LlavaChatTemplate.builder().setTokenizer(tokenizer).build();
            InitialWeights.llava(params, config);
            CellProbe probe = CellProbe.of(params, options);
            List<Float> losses = TrainLoop.run("chat", options, params, data, preprocessor,
                    step -> LlavaModel.of(config, params.stepStore(dir, step)),
                    (model, batch, step) -> loss(model, probe, tokenizer, template, batch, data, step), log,
                    () -> CheckpointWriter.snapshot(dir, params));
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

    /** What the training forward computes: the vision features the projector reads, and the logits. */
    record Forward(NDArray selectedFeatures, NDArray logits, MergedInputs merged) {}

    /**
     * The serving model's full forward, kept apart so that the parity test checks exactly what
     * training computes: pixels {@code [B, 3, H, W]} -> the vision features the projector reads
     * {@code [B, N, D]} -> projected image features; the prompt ids {@code [B, T]} (one image token
     * per row) embedded with the image token replaced by the features ({@link
     * LlavaModel#mergeInputs}); logits {@code [B, L, V]} at every merged position.
     */
    static Forward forward(LlavaModel model, NDArray pixels, NDArray inputIds, NDArray attentionMask) {
        NDArray selected = model.selectedFeatures(pixels);
        MergedInputs merged = model.mergeInputs(inputIds, attentionMask, model.projector().forward(selected));
        NDArray logits = model.languageModel().forward(merged.inputsEmbeds(), merged.attentionMask(), null);
        return new Forward(selected, logits, merged);
    }

    /**
     * Teacher-forced answer loss: rows are {@code [prompt ; last answer </s> ; right padding]},
     * rendered by the serving template (earlier turns as history); every answer and its {@code </s>}
     * is scored. The image token becomes the image's {@code n} feature rows in the merge, so token
     * {@code i} after it sits at merged position {@code i - 1 + n}.
     */
    static NDArray loss(LlavaModel model, CellProbe probe, TextTokenizer tokenizer, LlavaChatTemplate template,
            SceneBatch batch, ShapesDataset data, NDManager m) {
        int b = batch.scenes().size();
        long[][] rows = new long[b][];
        int width = 0;
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
            width = Math.max(width, rows[r].length);
        }
        long[] ids = new long[b * width];
        long[] mask = new long[b * width];
        for (int r = 0; r < b; r++) {
            System.arraycopy(rows[r], 0, ids, r * width, rows[r].length); // the rest stays PAD_ID (0)
            java.util.Arrays.fill(mask, r * width, r * width + rows[r].length, 1L);
        }
        Forward f = forward(model, batch.pixels(m), m.create(ids, new Shape(b, width)), m.create(mask, new Shape(b, width)));
        int n = model.featuresPerImage();
        int s = (int) f.logits().getShape().get(1);
        long[] target = new long[b * s];
        float[] weight = new float[b * s];
        long assistant = tokenizer.tokenId("assistant");
        long colon = tokenizer.tokenId(":");
        for (int r = 0; r < b; r++) {
            int imageAt = indexOf(rows[r], TinyVocabulary.IMAGE_ID);
            boolean inAnswer = false;
            // token i after the image sits at merged position i - 1 + n; the logits one position earlier predict it
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
        NDArray loss = TrainBlocks.crossEntropy(f.logits(), target, weight);
        return CellProbe.addTo(probe, loss, f.selectedFeatures(), batch.scenes());
    }

    private static int indexOf(long[] ids, long id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        throw new IllegalStateException("prompt has no image token " + id);
    }
}
