package io.vlmtagger.models.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.CaptionRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.api.Timings;
import io.vlmtagger.models.generate.GeneratedSequences;
import io.vlmtagger.models.generate.GenerationInput;
import io.vlmtagger.models.generate.Generator;
import io.vlmtagger.models.text.SpecialTokenIds;
import io.vlmtagger.models.text.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * BLIP-2 captioning of a batch, as transformers' {@code Blip2ForConditionalGeneration.generate}:
 * the language model sees {@code [soft prompt (Q rows) ; left-padded text prompt]}, where the text
 * prompt is the tokenized request prompt with bos first (OPT style) or just {@code [bos]} when the
 * request has none; padding therefore sits between the soft prompt and the text and is masked.
 * Only new tokens are returned (no leading bos, no prompt).
 *
 * <p>Thread-safe: each call runs in its own child of the model's manager, closed before returning.
 */
final class CaptionPipeline {
    private final SoftPromptModel model;
    private final TextTokenizer tokenizer;
    private final Generator generator;
    private final long bos;
    private final long pad;
    private final LongSupplier nanoClock;

    CaptionPipeline(SoftPromptModel model, TextTokenizer tokenizer, LongSupplier nanoClock) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.nanoClock = nanoClock;
        SpecialTokenIds ids = tokenizer.specialIds();
        if (ids.eos().length == 0) {
            throw new IllegalArgumentException("the checkpoint names no eos token (generation_config.json eos_token_id)");
        }
        this.bos = ids.bos().orElse(ids.eos()[0]);
        this.pad = ids.pad().orElse(ids.eos()[0]);
        this.generator = Generator.builder().setDecoder(model.decoder()).setEosTokenIds(ids.eos())
                .optPadTokenId(pad).optNanoClock(nanoClock).build();
    }

    /** Prompt ids of one request: {@code [bos]} or bos + the prompt's tokens. */
    long[] promptIds(String prompt) {
        if (prompt == null || prompt.isBlank()) {
            return new long[] {bos};
        }
        long[] body = tokenizer.encode(prompt);
        long[] ids = new long[body.length + 1];
        ids[0] = bos;
        System.arraycopy(body, 0, ids, 1, body.length);
        return ids;
    }

    List<GenerationResult> caption(List<CaptionRequest> requests, GenerationOptions options) {
        if (requests.isEmpty()) {
            return List.of();
        }
        long[][] prompts = new long[requests.size()][];
        List<PixelValues> images = new ArrayList<>(requests.size());
        for (int r = 0; r < requests.size(); r++) {
            prompts[r] = promptIds(requests.get(r).prompt());
            images.add(requests.get(r).pixels());
        }
        return captionIds(prompts, images, options);
    }

    /** Captions from prompt ids (bos first, no padding) as they are; row {@code r} pairs with image {@code r}. */
    List<GenerationResult> captionIds(long[][] prompts, List<PixelValues> images, GenerationOptions options) {
        long start = nanoClock.getAsLong();
        int batch = prompts.length;
        int width = 0;
        for (long[] p : prompts) {
            width = Math.max(width, p.length);
        }
        try (NDManager call = model.newCallManager()) {
            NDArray soft = model.softPrompt(PixelBatch.stack(call, images, model.dataType())); // [B, Q, H]
            PixelBatch.await(soft);
            long visionEnd = nanoClock.getAsLong();
            int queries = (int) soft.getShape().get(1);
            long[] ids = new long[batch * width];
            long[] mask = new long[batch * (queries + width)];
            for (int r = 0; r < batch; r++) {
                int padding = width - prompts[r].length;
                for (int t = 0; t < width; t++) {
                    ids[r * width + t] = t < padding ? pad : prompts[r][t - padding];
                }
                for (int t = 0; t < queries + width; t++) {
                    mask[r * (queries + width) + t] = t < queries || t - queries >= padding ? 1 : 0;
                }
            }
            NDArray text = model.decoder().embed(call.create(ids, new Shape(batch, width))); // [B, T, H]
            NDArray embeds = soft.concat(text.toType(soft.getDataType(), false), 1); // [B, Q + T, H]
            GeneratedSequences out = generator.generate(
                    GenerationInput.ofEmbeds(embeds, call.create(mask, new Shape(batch, queries + width))), options);
            long end = nanoClock.getAsLong();
            Timings timings = new Timings((visionEnd - start) / 1e6, out.prefillMs(), out.decodeMs(), (end - start) / 1e6);
            List<GenerationResult> results = new ArrayList<>(batch);
            for (int r = 0; r < batch; r++) {
                long[] tokens = out.tokens(r);
                results.add(new GenerationResult(tokenizer.decode(tokens).strip(), tokens.clone(),
                        out.promptLength(r), tokens.length, timings));
            }
            return results;
        }
    }
}
