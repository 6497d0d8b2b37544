package io.vlmtagger.models.idefics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.ExemplarFeatures;
import io.vlmtagger.models.api.FewShotAnswer;
import io.vlmtagger.models.api.FewShotQuery;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.LabeledExample;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.generate.GenerationInput;
import io.vlmtagger.models.generate.Generator;
import io.vlmtagger.models.pipeline.FewShotPrompt;
import io.vlmtagger.models.pipeline.IdeficsFewShotTagger;
import io.vlmtagger.models.preprocess.ImagePreprocessor;
import io.vlmtagger.models.text.TextTokenizer;
import io.vlmtagger.models.weights.CheckpointDirectory;
import io.vlmtagger.models.weights.CheckpointDirectory.WordLevelTokenizer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link IdeficsFewShotTagger} end to end on a random tiny checkpoint with a word-level tokenizer:
 * its answer is the greedy completion of the documented prompt with the exemplar images in slots
 * 0..n-1 and the query last, undecodable images are reported as such, and a batch of queries with
 * exemplar sets of their own (prepared once, left-padded prompts) answers as each query alone.
 */
class IdeficsFewShotTaggerTest {
    private static final List<String> WORDS = List.of("Tag", "each", "image", "with", "the", "labels", "of",
            "examples", "Tags", ":", ",", ".", "red", "circle", "blue", "square");

    @TempDir
    Path tmp;

    @Test
    void answersTheGreedyCompletionOfTheInterleavedPrompt() throws Exception {
        TinyIdeficsCheckpoint layout = new TinyIdeficsCheckpoint();
        Path dir = layout.write(tmp.resolve("ckpt"));
        writeTokenizer(dir, layout.vocab);
        List<LabeledExample> examples = List.of(
                new LabeledExample(png(0xdd2222), List.of("red", "circle"), null),
                new LabeledExample(png(0x2222dd), List.of("blue", "square"), null));
        byte[] query = png(0xcc3333);
        GenerationOptions options = GenerationOptions.greedy(5);
        try (IdeficsModel model = IdeficsModel.load(dir);
                IdeficsFewShotTagger tagger = tagger(model, dir, options);
                TextTokenizer tokenizer = TextTokenizer.fromCheckpoint(dir);
                NDManager m = NDManager.newBaseManager()) {
            FewShotAnswer answer = tagger.tag(examples, query);

            // the same thing by hand: prompt ids, images in prompt order, generator on the conditioned decoder
            FewShotPrompt.Ids prompt = FewShotPrompt.build(examples, FewShotPrompt.DEFAULT_INSTRUCTION,
                    tokenizer::encode, 1, layout.vocab, layout.vocab + 1);
            assertThat(tokenizer.decodeKeepingSpecialTokens(prompt.ids())).contains("Tags : red , circle .");
            ImagePreprocessor pre = IdeficsFewShotTagger.preprocessorFor(model.config());
            byte[][] images = {examples.get(0).image(), examples.get(1).image(), query};
            int size = layout.imageSize;
            float[] all = new float[3 * 3 * size * size];
            for (int i = 0; i < 3; i++) {
                PixelValues px = pre.preprocess(images[i]);
                System.arraycopy(px.chw(), 0, all, i * 3 * size * size, 3 * size * size);
            }
            NDArray pixels = m.create(all, new Shape(1, 3, 3, size, size));
            long[] ones = new long[prompt.ids().length];
            Arrays.fill(ones, 1);
            NDArray imageMask = ImageAttentionMasks.toArray(m, ImageAttentionMasks.forPrompt(
                    new long[][] {prompt.ids()}, new long[][] {ones}, layout.vocab + 1, 2, 3));
            long[] tokens = Generator.builder().setDecoder(model.decoder(model.imageStates(pixels), imageMask))
                    .setEosTokenIds(2).optPadTokenId(0).build()
                    .generate(GenerationInput.builder().setInputIds(m.create(prompt.ids(), new Shape(1, ones.length)))
                            .setAttentionMask(m.create(ones, new Shape(1, ones.length))).build(), options)
                    .tokens(0);
            String text = tokenizer.decode(tokens);
            assertThat(answer.text()).isEqualTo(text);
            assertThat(answer.tags()).isEqualTo(FewShotPrompt.parseTags(text));
            assertThat(tagger.tag(examples, query)).extracting(FewShotAnswer::text).isEqualTo(answer.text());

            assertThatThrownBy(() -> tagger.tag(examples, new byte[] {1, 2, 3}))
                    .isInstanceOf(ImageDecodeException.class);
        }
        try (IdeficsFewShotTagger loaded = IdeficsFewShotTagger.load(dir, "cpu", "float32")) {
            assertThat(loaded.info().device()).isEqualTo("cpu");
            assertThat(loaded.tag(examples, query).tags()).isNotNull();
        }
    }

    @Test
    void aBatchOfQueriesWithOwnExemplarSetsAnswersAsEachAlone() throws Exception {
        TinyIdeficsCheckpoint layout = new TinyIdeficsCheckpoint();
        Path dir = layout.write(tmp.resolve("ckpt"));
        writeTokenizer(dir, layout.vocab);
        List<LabeledExample> two = List.of(
                new LabeledExample(png(0xdd2222), List.of("red", "circle"), null),
                new LabeledExample(png(0x2222dd), List.of("blue", "square"), null));
        List<LabeledExample> one = List.of(new LabeledExample(png(0x22dd22), List.of("square"), null));
        try (IdeficsModel model = IdeficsModel.load(dir);
                IdeficsFewShotTagger tagger = tagger(model, dir, GenerationOptions.greedy(6))) {
            ExemplarFeatures twoSet = tagger.prepare(two);
            ExemplarFeatures oneSet = tagger.prepare(one);
            assertThat(twoSet.count()).isEqualTo(2);
            assertThat(twoSet.sizeBytes()).isGreaterThan(0);
            PixelValues red = tagger.preprocess(png(0xcc3333));
            PixelValues green = tagger.preprocess(png(0x33cc33));

            List<FewShotAnswer> batch = tagger.tag(List.of(new FewShotQuery(twoSet, red),
                    new FewShotQuery(oneSet, green), new FewShotQuery(twoSet, green)));

            assertThat(batch).extracting(FewShotAnswer::text).containsExactly(
                    tagger.tag(two, png(0xcc3333)).text(),
                    tagger.tag(one, png(0x33cc33)).text(),
                    tagger.tag(two, png(0x33cc33)).text());
            assertThatThrownBy(() -> tagger.tag(List.of(new FewShotQuery(new ExemplarFeatures() {
                @Override
                public int count() {
                    return 0;
                }

                @Override
                public long sizeBytes() {
                    return 0;
                }
            }, red)))).hasMessageContaining("prepare them with this tagger's prepare()");
        }
    }

    private static IdeficsFewShotTagger tagger(IdeficsModel model, Path dir, GenerationOptions options) {
        return IdeficsFewShotTagger.builder()
                .setModel(model)
                .setTokenizer(TextTokenizer.fromCheckpoint(dir))
                .setPreprocessor(IdeficsFewShotTagger.preprocessorFor(model.config()))
                .optGenerationOptions(options)
                .build();
    }

    private static byte[] png(int rgb) throws Exception {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** A word-level tokenizer: specials 0-2, the prompt words, w<id> fillers, the two IDEFICS tokens last. */
    private static void writeTokenizer(Path dir, int vocab) throws Exception {
        List<String> specials = List.of("<unk>", "<s>", "</s>", "<fake_token_around_image>", "<image>");
        List<String> tokens = new java.util.ArrayList<>(specials.subList(0, 3));
        for (int id = 3; id < vocab; id++) {
            int w = id - 3;
            tokens.add(w < WORDS.size() ? WORDS.get(w) : "w" + id);
        }
        tokens.addAll(specials.subList(3, 5));
        CheckpointDirectory.at(dir)
                .writeTokenizer(new WordLevelTokenizer(tokens, specials, null, "</s>", null, "<unk>", false, false))
                .writeGenerationConfig(1, 2, 0);
    }
}
