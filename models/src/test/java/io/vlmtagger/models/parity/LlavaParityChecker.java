package io.vlmtagger.models.parity;

import ai.djl.ndarray.NDArray;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.clip.ClipVisionTower;
import io.vlmtagger.models.config.ConfigReader;
import io.vlmtagger.models.config.LlamaConfig;
import io.vlmtagger.models.generate.GeneratedSequences;
import io.vlmtagger.models.generate.GenerationInput;
import io.vlmtagger.models.generate.Generator;
import io.vlmtagger.models.llama.LlamaDecoder;
import io.vlmtagger.models.llava.LlavaModel;
import io.vlmtagger.models.llava.MergedInputs;
import java.nio.file.Files;

/**
 * LLaVA (CLIP + projector + Llama) against {@code LlavaForConditionalGeneration}: the vision tower
 * (embeddings, last hidden state), the selected features, the projector, the merged language-model
 * inputs (embeddings, mask, positions), the full-forward logits at attended positions, and greedy
 * generation (ids exactly: the unexpanded prompt + new tokens, pad after eos; step logits up to
 * each row's eos). Generation runs on the merged embeddings, as LLaVA's {@code generate()} does.
 */
final class LlavaParityChecker implements ParityChecker {

    @Override
    public void check(ParityCase p) {
        try (LlavaModel model = LlavaModel.builder().setCheckpoint(p.dir()).optParentManager(p.manager()).build()) {
            NDArray pixels = p.input("pixel_values");
            if (p.has("vision_embeddings")) {
                p.expect("vision_embeddings", model.visionTower().hiddenStates(pixels, 0).get(0));
            }
            if (p.has("vision_last_hidden_state")) {
                ClipVisionTower full = new ClipVisionTower(model.weights().weights("vision_tower.vision_model."),
                        model.config().vision());
                p.expect("vision_last_hidden_state", full.lastHiddenState(pixels));
            }
            NDArray selected = model.selectedFeatures(pixels);
            expectIfPresent(p, "vision_selected_features", selected);
            NDArray features = model.projector().forward(selected);
            expectIfPresent(p, "projector_output", features);

            NDArray ids = p.input("input_ids");
            NDArray mask = p.input("attention_mask");
            MergedInputs merged = model.mergeInputs(ids, mask, features);
            expectIfPresent(p, "lm_inputs_embeds", merged.inputsEmbeds());
            if (p.has("lm_attention_mask")) {
                p.expectIds("lm_attention_mask", rows(merged.attentionMask()));
            }
            if (p.has("lm_position_ids")) {
                p.expectIds("lm_position_ids", rows(LlamaDecoder.positionIds(merged.attentionMask())));
            }
            p.expectWhere("logits", model.languageModel().forward(merged.inputsEmbeds(), merged.attentionMask(), null),
                    merged.attentionMask());
            if (p.has("generated_ids")) {
                generate(p, model, ids, merged);
            }
        }
    }

    private static void generate(ParityCase p, LlavaModel model, NDArray promptIds, MergedInputs merged) {
        Tokens tokens = Tokens.of(p, model.config().text(), model.padTokenId());
        Generator generator = Generator.builder()
                .setDecoder(model.languageModel())
                .setEosTokenIds(tokens.eos)
                .optPadTokenId(tokens.pad)
                .build();
        long[][] prompt = rows(promptIds);
        int promptLength = prompt[0].length;
        int width = (int) p.reference("generated_ids").getShape().get(1);
        int steps = width - promptLength;
        GeneratedSequences out = generator.generate(GenerationInput.builder()
                .setInputsEmbeds(merged.inputsEmbeds())
                .setAttentionMask(merged.attentionMask())
                .optKeepStepLogits(true)
                .build(), GenerationOptions.greedy(steps));
        long[][] newTokens = out.padded(tokens.pad, steps);
        long[][] full = new long[prompt.length][width];
        float[][][] stepLogits = new float[prompt.length][][];
        for (int r = 0; r < prompt.length; r++) {
            System.arraycopy(prompt[r], 0, full[r], 0, promptLength);
            System.arraycopy(newTokens[r], 0, full[r], promptLength, steps);
            stepLogits[r] = out.stepLogits(r);
        }
        p.expectIds("generated_ids", full);
        if (p.has("generated_step_logits")) {
            p.expectStepLogits("generated_step_logits", stepLogits, newTokens, tokens.eos);
        }
    }

    private static void expectIfPresent(ParityCase p, String name, NDArray actual) {
        if (p.has(name)) {
            p.expect(name, actual);
        }
    }

    private static long[][] rows(NDArray ids) {
        int b = (int) ids.getShape().get(0);
        int t = (int) ids.getShape().get(1);
        long[] flat = ids.toLongArray();
        long[][] out = new long[b][t];
        for (int r = 0; r < b; r++) {
            System.arraycopy(flat, r * t, out[r], 0, t);
        }
        return out;
    }

    /** eos/pad as generate() sees them: generation_config.json, else the configs. */
    private record Tokens(long eos, long pad) {
        static Tokens of(ParityCase p, LlamaConfig text, long configPad) {
            if (!Files.isRegularFile(p.dir().resolve("generation_config.json"))) {
                return new Tokens(text.eosTokenId(), configPad);
            }
            ConfigReader g = ConfigReader.load(p.dir().resolve("generation_config.json"));
            return new Tokens(g.integer("eos_token_id", text.eosTokenId()), g.integer("pad_token_id", (int) configPad));
        }
    }
}
