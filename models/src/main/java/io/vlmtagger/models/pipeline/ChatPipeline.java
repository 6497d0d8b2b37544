package io.vlmtagger.models.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.ChatRequest;
import io.vlmtagger.models.api.ContinuousChat;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.api.Timings;
import io.vlmtagger.models.generate.GeneratedSequences;
import io.vlmtagger.models.generate.GenerationInput;
import io.vlmtagger.models.generate.Generator;
import io.vlmtagger.models.text.ChatPrompt;
import io.vlmtagger.models.text.LlavaChatTemplate;
import io.vlmtagger.models.text.SpecialTokenIds;
import io.vlmtagger.models.text.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * LLaVA-1.5 visual chat on a batch, as transformers 4.40's {@code LlavaForConditionalGeneration}
 * with the legacy in-model merge: each prompt (chat template, history trimmed to the budget) holds
 * one image token, replaced in place by the image's {@code N} feature rows; rows are left-padded
 * with zero embeddings (mask 0). The repetition penalty counts the prompt ids, as transformers'
 * {@code input_ids} do. Only new tokens are returned.
 *
 * <p>Thread-safe: each call runs in its own child of the model's manager, closed before returning.
 */
final class ChatPipeline {
    private final ImageFeatureModel model;
    private final TextTokenizer tokenizer;
    private final LlavaChatTemplate template;
    private final Generator generator;
    private final LongSupplier nanoClock;

    ChatPipeline(ImageFeatureModel model, TextTokenizer tokenizer, LlavaChatTemplate template, LongSupplier nanoClock) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = template;
        this.nanoClock = nanoClock;
        SpecialTokenIds ids = tokenizer.specialIds();
        if (ids.eos().length == 0) {
            throw new IllegalArgumentException("the checkpoint names no eos token (generation_config.json eos_token_id)");
        }
        this.generator = Generator.builder().setDecoder(model.decoder()).setEosTokenIds(ids.eos())
                .optPadTokenId(ids.pad().orElse(ids.eos()[0])).optNanoClock(nanoClock).build();
    }

    /** The prompt of one request within the budget left by {@code maxNewTokens}. */
    ChatPrompt prompt(ChatRequest request, int maxNewTokens) {
        int budget = LlavaChatTemplate.promptBudget(model.maxContextTokens(), maxNewTokens, model.featuresPerImage());
        return template.tokenize(request.history(), request.question(), budget);
    }

    /** A continuous-batching loop over the same model, template and tokenizer (see {@link ContinuousChatLoop}). */
    ContinuousChat openContinuous(String name, int maxRows, int queueCapacity) {
        return new ContinuousChatLoop(this, model, tokenizer, tokenizer.specialIds().eos(), name, maxRows,
                queueCapacity, nanoClock);
    }

    List<GenerationResult> answer(List<ChatRequest> requests, GenerationOptions options) {
        if (requests.isEmpty()) {
            return List.of();
        }
        long[][] prompts = new long[requests.size()][];
        List<PixelValues> images = new ArrayList<>(requests.size());
        for (int r = 0; r < requests.size(); r++) {
            prompts[r] = prompt(requests.get(r), options.maxNewTokens()).ids();
            images.add(requests.get(r).pixels());
        }
        return answerIds(prompts, images, options);
    }

    /**
     * Answers from prompt ids as they are (bos first, exactly one image token, no padding); row
     * {@code r} pairs with image {@code r}.
     */
    List<GenerationResult> answerIds(long[][] prompts, List<PixelValues> images, GenerationOptions options) {
        long start = nanoClock.getAsLong();
        int batch = prompts.length;
        int[] imageAt = new int[batch];
        for (int r = 0; r < batch; r++) {
            imageAt[r] = singleImageToken(prompts[r], r);
        }
        try (NDManager call = model.newCallManager()) {
            GenerationInput input = mergedInput(call, prompts, images, imageAt);
            PixelBatch.await(input.inputsEmbeds());
            long visionEnd = nanoClock.getAsLong();
            GeneratedSequences out = generator.generate(input, options);
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

    /** The merged, left-padded prompt batch of {@link #answerIds}'s arguments, in {@code call}. */
    GenerationInput mergedInput(NDManager call, long[][] prompts, List<PixelValues> images) {
        int[] imageAt = new int[prompts.length];
        for (int r = 0; r < prompts.length; r++) {
            imageAt[r] = singleImageToken(prompts[r], r);
        }
        return mergedInput(call, prompts, images, imageAt);
    }

    private GenerationInput mergedInput(NDManager call, long[][] prompts, List<PixelValues> images, int[] imageAt) {
        int batch = prompts.length;
        NDArray features = model.imageFeatures(PixelBatch.stack(call, images, model.dataType())); // [B, N, H]
        int n = (int) features.getShape().get(1);
        int hidden = (int) features.getShape().get(2);
        int width = 0;
        for (long[] p : prompts) {
            width = Math.max(width, p.length - 1 + n);
        }
        NDList rows = new NDList(batch);
        long[] mask = new long[batch * width];
        for (int r = 0; r < batch; r++) {
            long[] ids = prompts[r];
            int merged = ids.length - 1 + n;
            int padding = width - merged;
            NDArray text = model.decoder().embed(call.create(ids, new Shape(1, ids.length)))
                    .toType(features.getDataType(), false); // [1, L, H]
            NDList parts = new NDList();
            if (padding > 0) {
                parts.add(call.zeros(new Shape(1, padding, hidden), features.getDataType()));
            }
            parts.add(text.get(new NDIndex(":, :{}", imageAt[r])));
            parts.add(features.get(new NDIndex("{}:{}", r, r + 1)));
            parts.add(text.get(new NDIndex(":, {}:", imageAt[r] + 1)));
            rows.add(NDArrays.concat(parts, 1));
            for (int t = padding; t < width; t++) {
                mask[r * width + t] = 1;
            }
        }
        NDArray embeds = NDArrays.concat(rows, 0); // [B, W, H]
        return GenerationInput.builder()
                .setInputsEmbeds(embeds)
                .setAttentionMask(call.create(mask, new Shape(batch, width)))
                .optContextTokenIds(prompts)
                .build();
    }

    int singleImageToken(long[] ids, int row) {
        int at = -1;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == model.imageTokenId()) {
                if (at >= 0) {
                    throw new IllegalArgumentException("request " + row + ": prompt holds more than one image token");
                }
                at = i;
            }
        }
        if (at < 0) {
            throw new IllegalArgumentException("request " + row + ": prompt holds no image token (id "
                    + model.imageTokenId() + "); check the chat template's image token");
        }
        return at;
    }
}
