package io.vlmtagger.models.idefics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.CheckpointException;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.generate.GeneratedSequences;
import io.vlmtagger.models.generate.GenerationInput;
import io.vlmtagger.models.generate.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * IDEFICS layouts beyond the parity fixture, on random checkpoints: vector gates with a gated block
 * every 2nd layer and a resampler without q/k norms; scalar gates, no resampler (vision tokens
 * read directly), q/k norms everywhere; a tied decoupled head. For each: cached generation equals a full forward,
 * blind rows do not depend on their images, left padding does not change a row.
 */
class IdeficsLayoutsTest {
    private static final long F = 40; // <fake_token_around_image> = vocab_size
    private static final long I = 41; // <image> = vocab_size + 1
    private static final long[][] IDS = {
            {1, 5, 6, F, I, F, 7, 8, F, I, F, 9, F, I, F, 10, 11},
            {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 12, F, I, F, 13, 14}};
    private static final int SLOTS = 3;

    @TempDir
    Path tmp;

    static Stream<Arguments> layouts() {
        TinyIdeficsCheckpoint vectorGates = new TinyIdeficsCheckpoint();
        TinyIdeficsCheckpoint noResampler = new TinyIdeficsCheckpoint();
        noResampler.useResampler = false;
        noResampler.alphaType = "float";
        noResampler.interval = 1;
        noResampler.layers = 3;
        noResampler.qkNorms = true;
        noResampler.seed = 12;
        TinyIdeficsCheckpoint perceiverNorms = new TinyIdeficsCheckpoint();
        perceiverNorms.perceiverQkNorms = true;
        perceiverNorms.resamplerDepth = 2;
        perceiverNorms.interval = 4;
        perceiverNorms.seed = 13;
        TinyIdeficsCheckpoint tied = new TinyIdeficsCheckpoint();
        tied.tieWordEmbeddings = true;
        tied.seed = 14;
        return Stream.of(Arguments.of("vector gates, interval 2", vectorGates),
                Arguments.of("tied decoupled head", tied),
                Arguments.of("no resampler, float gates, qk norms", noResampler),
                Arguments.of("perceiver qk norms, interval 4", perceiverNorms));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void cachedGenerationEqualsFullForward(String name, TinyIdeficsCheckpoint layout) throws Exception {
        Path dir = layout.write(tmp.resolve("ckpt"));
        try (NDManager m = NDManager.newBaseManager();
                IdeficsModel model = IdeficsModel.builder().setCheckpoint(dir).optParentManager(m).build()) {
            NDArray pixels = pixels(m, layout, 21);
            NDArray ids = m.create(flat(IDS), new Shape(2, IDS[0].length));
            NDArray mask = ids.neq(0).toType(DataType.INT64, false);
            NDArray imageMask = imageMask(m, IDS);
            NDArray states = model.imageStates(pixels);
            int steps = 6;
            GeneratedSequences out = Generator.builder().setDecoder(model.decoder(states, imageMask))
                    .setEosTokenIds(2).optPadTokenId(0).build()
                    .generate(GenerationInput.builder().setInputIds(ids).setAttentionMask(mask)
                            .optKeepStepLogits(true).build(), GenerationOptions.greedy(steps));
            for (int r = 0; r < 2; r++) {
                long[] generated = out.tokens(r);
                long[] all = new long[IDS[r].length + generated.length];
                System.arraycopy(IDS[r], 0, all, 0, IDS[r].length);
                System.arraycopy(generated, 0, all, IDS[r].length, generated.length);
                NDArray rowIds = m.create(all, new Shape(1, all.length));
                NDArray rowMask = rowIds.neq(0).toType(DataType.INT64, false);
                NDArray rowStates = states.get(r + ":" + (r + 1));
                ImageConditionedDecoder d = model.decoder(rowStates, imageMask.get(r + ":" + (r + 1)));
                float[] full = d.forward(d.embed(rowIds), rowMask, null).toFloatArray();
                int vocab = d.vocabSize();
                float[][] stepLogits = out.stepLogits(r);
                for (int s = 0; s < generated.length; s++) {
                    int pos = IDS[r].length - 1 + s;
                    float[] expected = java.util.Arrays.copyOfRange(full, pos * vocab, (pos + 1) * vocab);
                    assertThat(maxDiff(stepLogits[s], expected)).as("%s row %d step %d", name, r, s)
                            .isLessThanOrEqualTo(1e-4 * Math.max(1, maxAbs(expected)));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void blindRowsIgnoreTheirImagesAndPaddingChangesNothing(String name, TinyIdeficsCheckpoint layout)
            throws Exception {
        Path dir = layout.write(tmp.resolve("ckpt"));
        try (NDManager m = NDManager.newBaseManager();
                IdeficsModel model = IdeficsModel.builder().setCheckpoint(dir).optParentManager(m).build()) {
            NDArray ids = m.create(flat(IDS), new Shape(2, IDS[0].length));
            NDArray mask = ids.neq(0).toType(DataType.INT64, false);
            NDArray imageMask = imageMask(m, IDS);
            NDArray pixelsA = pixels(m, layout, 21);
            NDArray pixelsB = pixels(m, layout, 22);
            float[] seeingA = model.forward(pixelsA, ids, mask, imageMask).get(0).toFloatArray();
            float[] seeingB = model.forward(pixelsB, ids, mask, imageMask).get(0).toFloatArray();
            assertThat(maxDiff(seeingA, seeingB)).as("images matter when attended").isGreaterThan(1e-3);

            NDArray blindMask = imageMask.zerosLike();
            float[] blindA = model.forward(pixelsA, ids, mask, blindMask).get(0).toFloatArray();
            float[] blindB = model.forward(pixelsB, ids, mask, blindMask).get(0).toFloatArray();
            assertThat(maxDiff(blindA, blindB)).as("a blind row's cross-attention is exactly zero").isZero();
            // tokens before the first image (positions 0..3 of row 0) do not see images either
            int vocab = model.config().totalVocabSize();
            float[] early = java.util.Arrays.copyOfRange(seeingA, 0, 4 * vocab);
            assertThat(maxDiff(early, java.util.Arrays.copyOfRange(blindA, 0, 4 * vocab))).isZero();

            // row 1 alone, unpadded, with only its own image slot == row 1 of the padded batch
            long[] row1 = java.util.Arrays.copyOfRange(IDS[1], 10, IDS[1].length);
            NDArray aloneIds = m.create(row1, new Shape(1, row1.length));
            NDArray alonePixels = pixelsA.get("1:2, 0:1");
            float[] alone = model.forward(alonePixels, aloneIds, aloneIds.onesLike(),
                    imageMask(m, new long[][] {row1}).get(":, :, 0:1")).toFloatArray();
            float[] batched = model.forward(pixelsA, ids, mask, imageMask).get("1, 10:").toFloatArray();
            assertThat(maxDiff(alone, batched)).isLessThanOrEqualTo(1e-4 * Math.max(1, maxAbs(batched)));
        }
    }

    @Test
    void refusesAnIntervalThatDoesNotDivideTheLayers() throws Exception {
        TinyIdeficsCheckpoint bad = new TinyIdeficsCheckpoint(); // 4 layers, interval 2; config edited to 3 layers
        Path dir = bad.write(tmp.resolve("bad"));
        Files.writeString(dir.resolve("config.json"),
                Files.readString(dir.resolve("config.json")).replace("\"num_hidden_layers\" : 4", "\"num_hidden_layers\" : 3"));
        assertThatThrownBy(() -> IdeficsConfig.load(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("cross_layer_interval=2");
    }

    private static NDArray imageMask(NDManager m, long[][] ids) {
        long[][] attn = new long[ids.length][];
        for (int r = 0; r < ids.length; r++) {
            attn[r] = java.util.Arrays.stream(ids[r]).map(id -> id == 0 ? 0 : 1).toArray();
        }
        return ImageAttentionMasks.toArray(m, ImageAttentionMasks.forPrompt(ids, attn, I, 2, SLOTS));
    }

    /** Random images for row 0's three slots and row 1's first; row 1's spare slots zero, as the processor pads. */
    private static NDArray pixels(NDManager m, TinyIdeficsCheckpoint layout, int seed) {
        m.getEngine().setRandomSeed(seed);
        NDArray p = m.randomNormal(new Shape(2, SLOTS, 3, layout.imageSize, layout.imageSize));
        NDArray keep = m.create(new float[] {1, 1, 1, 1, 0, 0}, new Shape(2, SLOTS, 1, 1, 1));
        return p.mul(keep);
    }

    private static long[] flat(long[][] rows) {
        return java.util.Arrays.stream(rows).flatMapToLong(java.util.Arrays::stream).toArray();
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs((double) a[i] - b[i]));
        }
        return d;
    }

    private static double maxAbs(float[] a) {
        double d = 0;
        for (float v : a) {
            d = Math.max(d, Math.abs(v));
        }
        return d;
    }
}
