package io.vlmtagger.models.parity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.blip2.Blip2Model;
import io.vlmtagger.models.config.ConfigReader;
import io.vlmtagger.models.config.OptConfig;
import io.vlmtagger.models.generate.GeneratedSequences;
import io.vlmtagger.models.generate.GenerationInput;
import io.vlmtagger.models.generate.Generator;
import java.nio.file.Files;

/**
 * BLIP-2 (OPT) against {@code Blip2ForConditionalGeneration}: every intermediate, the full-forward
 * logits (attended positions), and greedy generation with and without a prompt (ids exactly,
 * step logits up to each row's eos). Generation mirrors BLIP-2's {@code generate()}: OPT generates
 * from {@code inputs_embeds} only, so the output is {@code [bos] + new tokens}, pad after eos.
 */
final class Blip2ParityChecker implements ParityChecker {

    @Override
    public void check(ParityCase p) {
        try (Blip2Model model = Blip2Model.load(p.dir())) {
            NDArray pixels = p.input("pixel_values");
            NDArray embeddings = model.visionEmbeddings(pixels);
            p.expect("vision_embeddings", embeddings);
            NDArray image = model.visionEncode(embeddings);
            p.expect("vision_last_hidden_state", image);
            NDArray queries = model.qformer(image);
            p.expect("qformer_last_hidden_state", queries);
            NDArray softPrompt = model.languageProjection(queries);
            p.expect("language_projection_output", softPrompt);
            Tokens tokens = Tokens.of(p, model.config().text());
            Generator generator = Generator.builder()
                    .setDecoder(model.decoder())
                    .setEosTokenIds(tokens.eos)
                    .optPadTokenId(tokens.pad)
                    .build();

            if (p.has("input_ids")) {
                NDArray ids = p.input("input_ids");
                NDArray mask = p.input("attention_mask");
                NDArray lmEmbeds = model.lmInputsEmbeds(softPrompt, ids);
                NDArray lmMask = model.lmAttentionMask(mask);
                expectIfPresent(p, "lm_inputs_embeds", lmEmbeds);
                if (p.has("lm_attention_mask")) {
                    p.expectIds("lm_attention_mask", rows(lmMask));
                }
                p.expectWhere("logits", model.decoder().forward(lmEmbeds, lmMask, null), lmMask);
                generate(p, generator, tokens, lmEmbeds, lmMask, "generated_ids", "generated_step_logits");
            }
            if (p.has("caption_input_ids")) {
                NDArray ids = p.input("caption_input_ids");
                NDArray mask = ids.onesLike().toType(DataType.INT64, false);
                NDArray lmEmbeds = model.lmInputsEmbeds(softPrompt, ids);
                NDArray lmMask = model.lmAttentionMask(mask);
                p.expectWhere("caption_logits", model.decoder().forward(lmEmbeds, lmMask, null), lmMask);
                generate(p, generator, tokens, lmEmbeds, lmMask, "caption_generated_ids", "caption_step_logits");
            }
        }
    }

    private static void generate(ParityCase p, Generator generator, Tokens tokens, NDArray embeds, NDArray mask,
            String idsName, String stepLogitsName) {
        if (!p.has(idsName)) {
            return;
        }
        int width = (int) p.reference(idsName).getShape().get(1);
        GenerationInput input = GenerationInput.builder()
                .setInputsEmbeds(embeds)
                .setAttentionMask(mask)
                .optKeepStepLogits(true)
                .build();
        GeneratedSequences out = generator.generate(input, GenerationOptions.greedy(width - 1));
        long[][] newTokens = out.padded(tokens.pad, width - 1);
        long[][] withBos = new long[newTokens.length][];
        float[][][] stepLogits = new float[newTokens.length][][];
        for (int r = 0; r < newTokens.length; r++) {
            withBos[r] = new long[width];
            withBos[r][0] = tokens.bos;
            System.arraycopy(newTokens[r], 0, withBos[r], 1, width - 1);
            stepLogits[r] = out.stepLogits(r);
        }
        p.expectIds(idsName, withBos);
        if (p.has(stepLogitsName)) {
            p.expectStepLogits(stepLogitsName, stepLogits, newTokens, tokens.eos);
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

    /** bos/eos/pad as generate() sees them: generation_config.json, else the text config. */
    private record Tokens(long bos, long eos, long pad) {
        static Tokens of(ParityCase p, OptConfig text) {
            if (!Files.isRegularFile(p.dir().resolve("generation_config.json"))) {
                return new Tokens(text.bosTokenId(), text.eosTokenId(), text.padTokenId());
            }
            ConfigReader g = ConfigReader.load(p.dir().resolve("generation_config.json"));
            return new Tokens(g.integer("bos_token_id", text.bosTokenId()), g.integer("eos_token_id", text.eosTokenId()),
                    g.integer("pad_token_id", text.padTokenId()));
        }
    }
}
