package io.vlmtagger.models.llava;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.clip.ClipVisionTower;
import io.vlmtagger.models.generate.GeneratedSequences;
import io.vlmtagger.models.generate.GenerationInput;
import io.vlmtagger.models.generate.Generator;
import io.vlmtagger.models.llama.LlamaDecoder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every tensor of the llava-llama-tiny fixture (computed by transformers 4.40.2) against ours,
 * within the README's bounds; generated ids exactly.
 */
class LlavaModelParityTest {
    private static NDManager manager;
    private static LlavaModel model;
    private static Map<String, NDArray> io;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        model = LlavaModel.builder().setCheckpoint(LlavaFixture.dir()).optParentManager(manager).build();
        io = LlavaFixture.io(manager);
    }

    @AfterAll
    static void close() {
        model.close();
        manager.close();
    }

    @Test
    void visionTowerMatches() {
        try (NDManager call = manager.newSubManager()) {
            NDArray pixels = io.get("pixel_values");
            pixels.tempAttach(call);
            List<NDArray> states = model.visionTower().hiddenStates(pixels, 0);
            LlavaFixture.assertClose("vision_embeddings", states.get(0), io.get("vision_embeddings"));
            ClipVisionTower full = new ClipVisionTower(model.weights().weights("vision_tower.vision_model."),
                    model.config().vision());
            LlavaFixture.assertClose("vision_last_hidden_state", full.lastHiddenState(pixels),
                    io.get("vision_last_hidden_state"));
            assertThat(model.visionTower().loadedLayers()).as("the unused last layer is not loaded").isEqualTo(2);
        }
    }

    @Test
    void selectedFeaturesAndProjectorMatch() {
        try (NDManager call = manager.newSubManager()) {
            NDArray pixels = io.get("pixel_values");
            pixels.tempAttach(call);
            NDArray selected = model.selectedFeatures(pixels);
            LlavaFixture.assertClose("vision_selected_features", selected, io.get("vision_selected_features"));
            LlavaFixture.assertClose("projector_output", model.projector().forward(selected), io.get("projector_output"));
            assertThat(model.featuresPerImage()).isEqualTo(64);
        }
    }

    @Test
    void mergedInputsPositionsAndLogitsMatch() {
        try (NDManager call = manager.newSubManager()) {
            NDArray pixels = io.get("pixel_values");
            NDArray ids = io.get("input_ids");
            NDArray mask = io.get("attention_mask");
            for (NDArray a : new NDArray[] {pixels, ids, mask}) {
                a.tempAttach(call);
            }
            MergedInputs merged = model.mergeInputs(ids, mask, model.imageFeatures(pixels));
            LlavaFixture.assertClose("lm_inputs_embeds", merged.inputsEmbeds(), io.get("lm_inputs_embeds"));
            assertThat(merged.attentionMask().toLongArray()).as("lm_attention_mask")
                    .containsExactly(io.get("lm_attention_mask").toLongArray());
            assertThat(LlamaDecoder.positionIds(merged.attentionMask()).toLongArray()).as("lm_position_ids")
                    .containsExactly(io.get("lm_position_ids").toLongArray());

            NDArray logits = model.languageModel().forward(merged.inputsEmbeds(), merged.attentionMask(), null);
            long[] lmMask = io.get("lm_attention_mask").toLongArray();
            int vocab = (int) logits.getShape().get(2);
            boolean[] keep = new boolean[lmMask.length * vocab];
            for (int i = 0; i < keep.length; i++) {
                keep[i] = lmMask[i / vocab] == 1;
            }
            assertThat(logits.getShape()).isEqualTo(io.get("logits").getShape());
            LlavaFixture.assertClose("logits", logits.toFloatArray(), io.get("logits").toFloatArray(), keep);
            // forward() chains the same steps
            LlavaFixture.assertClose("forward logits", model.forward(pixels, ids, mask).toFloatArray(),
                    io.get("logits").toFloatArray(), keep);
        }
    }

    @Test
    void greedyGenerationMatchesIdsAndStepLogits() {
        try (NDManager call = manager.newSubManager()) {
            NDArray pixels = io.get("pixel_values");
            NDArray ids = io.get("input_ids");
            NDArray mask = io.get("attention_mask");
            for (NDArray a : new NDArray[] {pixels, ids, mask}) {
                a.tempAttach(call);
            }
            MergedInputs merged = model.mergeInputs(ids, mask, model.imageFeatures(pixels));
            long eos = model.config().text().eosTokenId();
            long pad = model.padTokenId();
            Generator generator = Generator.builder().setDecoder(model.languageModel())
                    .setEosTokenIds(eos).optPadTokenId(pad).build();
            GeneratedSequences out = generator.generate(GenerationInput.builder()
                    .setInputsEmbeds(merged.inputsEmbeds())
                    .setAttentionMask(merged.attentionMask())
                    .optKeepStepLogits(true)
                    .build(), GenerationOptions.greedy(10));

            long[] expected = io.get("generated_ids").toLongArray(); // [2, 18] = prompt 8 + 10 new
            long[] prompt = ids.toLongArray();
            float[] stepRef = io.get("generated_step_logits").toFloatArray(); // [2, 10, 128]
            int rows = 2;
            int promptLen = 8;
            int steps = 10;
            int vocab = model.languageModel().vocabSize();
            long[][] newTokens = out.padded(pad, steps);
            for (int r = 0; r < rows; r++) {
                long[] row = new long[promptLen + steps];
                System.arraycopy(prompt, r * promptLen, row, 0, promptLen);
                System.arraycopy(newTokens[r], 0, row, promptLen, steps);
                long[] ref = java.util.Arrays.copyOfRange(expected, r * (promptLen + steps), (r + 1) * (promptLen + steps));
                assertThat(row).as("generated_ids row " + r).containsExactly(ref);

                float[][] stepLogits = out.stepLogits(r);
                int real = out.tokens(r).length; // steps up to and including eos
                for (int s = 0; s < real; s++) {
                    float[] refStep = java.util.Arrays.copyOfRange(stepRef, (r * steps + s) * vocab,
                            (r * steps + s + 1) * vocab);
                    LlavaFixture.assertClose("generated_step_logits[" + r + "][" + s + "]", stepLogits[s], refStep, null);
                }
            }
        }
    }
}
