package io.vlmtagger.models.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.blip2.Blip2Model;
import io.vlmtagger.models.llava.LlavaModel;
import io.vlmtagger.models.llava.MergedInputs;
import io.vlmtagger.models.testutil.FixtureCheckpoints;
import io.vlmtagger.models.testutil.FixtureTensors;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The generator on the real BLIP-2 (OPT) and LLaVA (Llama) decoders, against transformers' own
 * greedy output stored in the parity fixtures; plus batched == single and cache == recompute.
 */
class GeneratorOnFixtureModelsTest {

    @Test
    void blip2GreedyMatchesTransformersWithAndWithoutPrompt() {
        try (Blip2Model model = Blip2Model.load(FixtureCheckpoints.fixture(FixtureCheckpoints.BLIP2_OPT_TINY));
                NDManager m = model.newCallManager()) {
            Map<String, NDArray> io = FixtureTensors.load(m, FixtureCheckpoints.BLIP2_OPT_TINY);
            Generator g = Generator.builder().setDecoder(model.decoder()).setEosTokenIds(2).optPadTokenId(1).build();
            NDArray soft = model.softPrompt(io.get("pixel_values"));
            for (String run : new String[] {"", "caption_"}) {
                NDArray ids = run.isEmpty() ? io.get("input_ids") : io.get("caption_input_ids");
                NDArray mask = run.isEmpty() ? io.get("attention_mask") : m.ones(ids.getShape(), DataType.INT64);
                GenerationInput in = GenerationInput.builder()
                        .setInputsEmbeds(model.lmInputsEmbeds(soft, ids))
                        .setAttentionMask(model.lmAttentionMask(mask))
                        .optKeepStepLogits(true)
                        .build();
                GeneratedSequences out = g.generate(in, GenerationOptions.greedy(10));
                long[][] expected = FixtureTensors.newTokens(io.get(run + "generated_ids"), 1, 2);
                assertStepLogits(out, expected, io.get(run.isEmpty() ? "generated_step_logits" : "caption_step_logits"));
                for (int r = 0; r < expected.length; r++) {
                    assertThat(out.tokens(r)).as("%s row %d", run, r).containsExactly(expected[r]);
                }
            }
            // each row alone, unpadded, gives the same tokens as the padded batch
            long[][] prompts = FixtureTensors.rows(io.get("input_ids"), io.get("attention_mask"));
            long[][] expected = FixtureTensors.newTokens(io.get("generated_ids"), 1, 2);
            for (int r = 0; r < prompts.length; r++) {
                NDArray ids = m.create(prompts[r], new Shape(1, prompts[r].length));
                NDArray rowSoft = soft.get(r + ":" + (r + 1));
                GenerationInput in = GenerationInput.ofEmbeds(model.lmInputsEmbeds(rowSoft, ids),
                        model.lmAttentionMask(m.ones(ids.getShape(), DataType.INT64)));
                assertThat(g.generate(in, GenerationOptions.greedy(10)).tokens(0)).as("row %d alone", r)
                        .containsExactly(expected[r]);
            }
        }
    }

    @Test
    void llavaGreedyMatchesTransformersAndCacheEqualsRecompute() {
        try (LlavaModel model = LlavaModel.load(FixtureCheckpoints.fixture(FixtureCheckpoints.LLAVA_LLAMA_TINY));
                NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> io = FixtureTensors.load(m, FixtureCheckpoints.LLAVA_LLAMA_TINY);
            NDArray ids = io.get("input_ids");
            MergedInputs merged = model.mergeInputs(ids, io.get("attention_mask"), model.imageFeatures(io.get("pixel_values")));
            CausalDecoder decoder = model.languageModel();
            Generator g = Generator.builder().setDecoder(decoder).setEosTokenIds(2).optPadTokenId(126).build();
            GenerationInput in = GenerationInput.builder()
                    .setInputsEmbeds(merged.inputsEmbeds())
                    .setAttentionMask(merged.attentionMask())
                    .optContextTokenIds(FixtureTensors.rows(ids, io.get("attention_mask")))
                    .optKeepStepLogits(true)
                    .build();
            GeneratedSequences out = g.generate(in, GenerationOptions.greedy(10));
            long[][] expected = FixtureTensors.newTokens(io.get("generated_ids"), (int) ids.getShape().get(1), 2);
            assertStepLogits(out, expected, io.get("generated_step_logits"));
            for (int r = 0; r < expected.length; r++) {
                assertThat(out.tokens(r)).as("row %d", r).containsExactly(expected[r]);
            }
            // cache == recompute: row 0 (unpadded: mask all ones), whole sequence re-run each step
            int row = 0;
            long len = merged.length();
            NDArray seq = merged.inputsEmbeds().get(row + ":" + (row + 1));
            for (int step = 0; step < expected[row].length; step++) {
                NDArray mask = m.ones(new Shape(1, len + step), DataType.INT64);
                float[] logits = decoder.forwardLast(seq, mask, null).toFloatArray();
                assertThat((long) LogitsProcessing.argMax(logits)).as("recomputed step %d", step)
                        .isEqualTo(out.tokens(row)[step]);
                seq = seq.concat(decoder.embed(m.create(new long[] {out.tokens(row)[step]}, new Shape(1, 1))), 1);
            }
        }
    }

    private static void assertStepLogits(GeneratedSequences out, long[][] expected, NDArray reference) {
        int steps = (int) reference.getShape().get(1);
        int vocab = (int) reference.getShape().get(2);
        float[] ref = reference.toFloatArray();
        for (int r = 0; r < expected.length; r++) {
            float[][] actual = out.stepLogits(r);
            for (int s = 0; s < Math.min(expected[r].length, actual.length); s++) {
                float max = 0;
                for (int v = 0; v < vocab; v++) {
                    max = Math.max(max, Math.abs(ref[(r * steps + s) * vocab + v]));
                }
                float bound = 1e-4f * Math.max(1f, max);
                for (int v = 0; v < vocab; v++) {
                    assertThat(Math.abs(actual[s][v] - ref[(r * steps + s) * vocab + v]))
                            .as("row %d step %d token %d", r, s, v).isLessThanOrEqualTo(bound);
                }
            }
        }
    }
}
