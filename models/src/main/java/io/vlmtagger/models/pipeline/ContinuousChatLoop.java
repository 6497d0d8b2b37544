package io.vlmtagger.models.pipeline;

import io.vlmtagger.models.api.ChatRequest;
import io.vlmtagger.models.api.ContinuousChat;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.api.Timings;
import io.vlmtagger.models.generate.Completion;
import io.vlmtagger.models.generate.ContinuousBatcher;
import io.vlmtagger.models.text.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * LLaVA chat on a {@link ContinuousBatcher}: the prompt (chat template, history trimmed to the
 * budget) is tokenized on the caller's thread, so a prompt that cannot fit fails only its own
 * future; the loop thread runs the vision tower and the merge for each group of joiners (its
 * prefill batch), then decodes them with the running rows.
 *
 * <p>Timings: {@code visionMs} is 0 (the vision tower runs inside the join), {@code prefillMs} is
 * the join (vision, merge and prefill of the group), {@code decodeMs} the steps until the row
 * finished, {@code totalMs} includes the time queued.
 */
final class ContinuousChatLoop implements ContinuousChat {
    private final ChatPipeline pipeline;
    private final TextTokenizer tokenizer;
    private final ContinuousBatcher<Prompted> batcher;

    /** A tokenized prompt with its image. */
    private record Prompted(long[] ids, PixelValues pixels) {}

    ContinuousChatLoop(ChatPipeline pipeline, ImageFeatureModel model, TextTokenizer tokenizer, long[] eosTokenIds,
            String name, int maxRows, int queueCapacity, LongSupplier nanoClock) {
        this.pipeline = pipeline;
        this.tokenizer = tokenizer;
        this.batcher = ContinuousBatcher.<Prompted>builder()
                .optName(name)
                .setDecoder(model.decoder())
                .setEosTokenIds(eosTokenIds)
                .setPromptBuilder((manager, group) -> {
                    long[][] prompts = new long[group.size()][];
                    List<PixelValues> images = new ArrayList<>(group.size());
                    for (int r = 0; r < prompts.length; r++) {
                        prompts[r] = group.get(r).ids();
                        images.add(group.get(r).pixels());
                    }
                    return pipeline.mergedInput(manager, prompts, images);
                })
                .optMaxRows(maxRows)
                .optQueueCapacity(queueCapacity)
                .optManagerFactory(model::newCallManager)
                .optNanoClock(nanoClock)
                .build();
    }

    @Override
    public CompletableFuture<GenerationResult> submit(ChatRequest request, GenerationOptions options) {
        if (options.numBeams() != 1 || options.doSample() || options.repetitionPenalty() != 1.0f
                || options.minNewTokens() != 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("continuous batching decodes greedily"
                    + " (numBeams 1, no sampling, repetitionPenalty 1, minNewTokens 0), got " + options
                    + ": use VisualChatModel.answer for these options"));
        }
        Prompted prompted;
        try {
            long[] ids = pipeline.prompt(request, options.maxNewTokens()).ids();
            pipeline.singleImageToken(ids, 0);
            prompted = new Prompted(ids, request.pixels());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Completion> done = batcher.submit(prompted, options.maxNewTokens());
        CompletableFuture<GenerationResult> result = done.thenApply(this::toResult);
        // cancelling (or timing out) the caller's future drops the row at the next step
        result.whenComplete((r, e) -> {
            if (e != null) {
                done.cancel(false);
            }
        });
        return result;
    }

    private GenerationResult toResult(Completion c) {
        Timings timings = new Timings(0, c.joinMs(), c.decodeMs(), c.totalMs());
        return new GenerationResult(tokenizer.decode(c.tokens()).strip(), c.tokens(), c.promptTokens(),
                c.tokens().length, timings);
    }

    @Override
    public int queueDepth() {
        return batcher.queueDepth();
    }

    @Override
    public void close() {
        batcher.close();
    }
}
