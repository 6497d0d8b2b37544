package io.vlmtagger.models.parity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.config.ConfigReader;
import io.vlmtagger.models.generate.GeneratedSequences;
import io.vlmtagger.models.generate.GenerationInput;
import io.vlmtagger.models.generate.Generator;
import io.vlmtagger.models.idefics.IdeficsModel;
import io.vlmtagger.models.idefics.IdeficsTextModel;
import io.vlmtagger.models.idefics.ImageAttentionMasks;
import io.vlmtagger.models.idefics.ImageConditionedDecoder;
import io.vlmtagger.models.llama.LlamaDecoder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * IDEFICS v1 (Flamingo) against {@code IdeficsForVisionText2Text}: vision embeddings and last
 * hidden state, perceiver output, decoupled input embeddings, position ids, the cross-attention
 * gate, every text layer's input and every gated block's cross-attention and output, logits, and
 * greedy generation (ids exactly, step logits up to each row's eos), each with the prompt's image
 * attention mask and, when present, the "blind" one. Text-side tensors are compared where {@code
 * attention_mask} is 1. Optional tensors are checked when the fixture has them, so fixtures with
 * other layouts (gates, intervals, norms, image counts) run through the same code.
 */
final class IdeficsParityChecker implements ParityChecker {

    @Override
    public void check(ParityCase p) {
        try (IdeficsModel model = IdeficsModel.builder().setCheckpoint(p.dir()).optParentManager(p.manager()).build()) {
            NDArray pixels = p.input("pixel_values"); // [B, N, C, H, W]
            long b = pixels.getShape().get(0);
            long n = pixels.getShape().get(1);
            if (p.has("num_images")) {
                p.input("num_images"); // describes the zero-padded slots; not a model input
            }
            if (p.has("vision_embeddings")) {
                NDArray flat = pixels.reshape(b * n, pixels.getShape().get(2), pixels.getShape().get(3),
                        pixels.getShape().get(4));
                NDArray emb = model.visionTower().hiddenStates(flat, 0).get(0);
                p.expect("vision_embeddings", emb.reshape(b, n, emb.getShape().get(1), emb.getShape().get(2)));
            }
            NDArray vision = model.visionLastHiddenState(pixels);
            expectIfPresent(p, "vision_last_hidden_state", vision);
            NDArray perImage = model.perImageStates(vision);
            if (model.resampler() != null) {
                expectIfPresent(p, "perceiver_output", perImage);
            }
            NDArray imageStates = perImage.reshape(b, n * perImage.getShape().get(2), perImage.getShape().get(3));

            NDArray ids = p.input("input_ids");
            NDArray mask = p.input("attention_mask");
            NDArray imageMask = p.input("image_attention_mask");
            ImageConditionedDecoder decoder = model.decoder(imageStates, imageMask);
            NDArray embeds = decoder.embed(ids);
            expectWhereIfPresent(p, "inputs_embeds", embeds, mask);
            if (p.has("position_ids")) {
                p.expectIds("position_ids", rows(LlamaDecoder.positionIds(mask)));
            }
            if (p.has("cross_attention_gate")) {
                NDArray gate = ImageAttentionMasks.attendsAnyImage(imageMask, DataType.FLOAT32);
                p.expectIds("cross_attention_gate", rows(gate.reshape(b, -1).toType(DataType.INT64, false)));
            }
            Recorder rec = new Recorder();
            NDArray hidden = decoder.hiddenStates(embeds, mask, null, rec);
            rec.layerInputs.add(hidden);
            expectStacked(p, "decoder_hidden_states", rec.layerInputs, mask);
            expectStacked(p, "xattn_outputs", rec.crossAttention, mask);
            expectStacked(p, "gated_block_outputs", rec.blockOutputs, mask);
            p.expectWhere("logits", model.textModel().logits(hidden), mask);
            Tokens tokens = Tokens.of(p, model);
            if (p.has("generated_ids")) {
                generate(p, decoder, ids, mask, tokens, "generated_ids", "generated_step_logits");
            }
            if (p.has("blind_image_attention_mask")) {
                NDArray blindMask = p.input("blind_image_attention_mask");
                ImageConditionedDecoder blind = model.decoder(imageStates, blindMask);
                if (p.has("blind_logits")) {
                    p.expectWhere("blind_logits", blind.forward(blind.embed(ids), mask, null), mask);
                }
                if (p.has("blind_generated_ids")) {
                    generate(p, blind, ids, mask, tokens, "blind_generated_ids", "blind_step_logits");
                }
            }
        }
    }

    private static void generate(ParityCase p, ImageConditionedDecoder decoder, NDArray ids, NDArray mask,
            Tokens tokens, String idsName, String logitsName) {
        Generator generator = Generator.builder().setDecoder(decoder).setEosTokenIds(tokens.eosIds())
                .optPadTokenId(tokens.pad).build();
        long[][] prompt = rows(ids);
        int promptLength = prompt[0].length;
        int width = (int) p.reference(idsName).getShape().get(1);
        int steps = width - promptLength;
        GeneratedSequences out = generator.generate(GenerationInput.builder()
                .setInputIds(ids).setAttentionMask(mask).optKeepStepLogits(true).build(), GenerationOptions.greedy(steps));
        long[][] newTokens = out.padded(tokens.pad, steps);
        long[][] full = new long[prompt.length][width];
        float[][][] stepLogits = new float[prompt.length][][];
        for (int r = 0; r < prompt.length; r++) {
            System.arraycopy(prompt[r], 0, full[r], 0, promptLength);
            System.arraycopy(newTokens[r], 0, full[r], promptLength, steps);
            stepLogits[r] = out.stepLogits(r);
        }
        p.expectIds(idsName, full);
        if (p.has(logitsName)) {
            p.expectStepLogits(logitsName, stepLogits, newTokens, tokens.eos());
        }
    }

    /** Compares a stack {@code [K, B, T, H]} where the text mask {@code [B, T]} is 1. */
    private static void expectStacked(ParityCase p, String name, List<NDArray> parts, NDArray mask) {
        if (!p.has(name)) {
            return;
        }
        NDArray stacked = NDArrays.stack(new NDList(parts.toArray(new NDArray[0])), 0);
        long k = parts.size();
        NDArray tiled = mask.reshape(1, -1).repeat(0, k); // [K, B*T]: one mask row per stacked tensor
        p.expectWhere(name, stacked, tiled);
    }

    private static void expectIfPresent(ParityCase p, String name, NDArray actual) {
        if (p.has(name)) {
            p.expect(name, actual);
        }
    }

    private static void expectWhereIfPresent(ParityCase p, String name, NDArray actual, NDArray mask) {
        if (p.has(name)) {
            p.expectWhere(name, actual, mask);
        }
    }

    private static long[][] rows(NDArray ids) {
        int b = (int) ids.getShape().get(0);
        int t = (int) ids.getShape().get(1);
        long[] flat = ids.toType(DataType.INT64, false).toLongArray();
        long[][] out = new long[b][t];
        for (int r = 0; r < b; r++) {
            System.arraycopy(flat, r * t, out[r], 0, t);
        }
        return out;
    }

    /** Keeps each text layer's input, each gated block's cross-attention output and block output. */
    private static final class Recorder implements IdeficsTextModel.Probe {
        final List<NDArray> layerInputs = new ArrayList<>();
        final List<NDArray> crossAttention = new ArrayList<>();
        final List<NDArray> blockOutputs = new ArrayList<>();

        @Override
        public void layerInput(int layer, NDArray input) {
            layerInputs.add(input);
        }

        @Override
        public void crossAttention(int block, NDArray output) {
            crossAttention.add(output);
        }

        @Override
        public void gatedBlockOutput(int block, NDArray output) {
            blockOutputs.add(output);
        }
    }

    /** eos ids (a single id or a list) and pad as generate() sees them: generation_config.json, else the config. */
    private record Tokens(long[] eosIds, long pad) {
        long eos() {
            return eosIds[0];
        }

        static Tokens of(ParityCase p, IdeficsModel model) {
            long eos = model.config().text().eosTokenId();
            long pad = model.config().padTokenId();
            if (!Files.isRegularFile(p.dir().resolve("generation_config.json"))) {
                return new Tokens(new long[] {eos}, pad);
            }
            ConfigReader g = ConfigReader.load(p.dir().resolve("generation_config.json"));
            JsonNode e = g.raw("eos_token_id");
            long[] eosIds = e.isArray() ? java.util.stream.StreamSupport.stream(e.spliterator(), false)
                    .mapToLong(JsonNode::asLong).toArray() : new long[] {g.integer("eos_token_id", (int) eos)};
            return new Tokens(eosIds, g.integer("pad_token_id", (int) pad));
        }
    }
}
