package io.vlmtagger.operators.chat;

import io.vlmtagger.models.api.ChatRequest;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.operators.batching.BatchScheduler;
import io.vlmtagger.operators.batching.MicroBatcher;
import io.vlmtagger.operators.inference.InferenceMetrics;
import io.vlmtagger.operators.inference.InferenceSettings;
import io.vlmtagger.operators.slots.SlotModel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Chat questions in static batches through a {@link MicroBatcher}: a batch, bucketed by estimated
 * prompt length ({@code chat.prompt-bucket-tokens}), runs to its longest answer before the next one
 * starts, through the slot's device gate. Used when {@code chat.continuous-batching} is off or the
 * model has no continuous loop.
 */
final class BatchedChatInference implements ChatInference {
    private final MicroBatcher<ChatJob, GenerationResult> batcher;

    BatchedChatInference(String name, VisualChatModel model, SlotModel<?> gate, InferenceSettings settings,
            BatchScheduler scheduler, InferenceMetrics metrics) {
        int bucketTokens = settings.chatPromptBucketTokens();
        this.batcher = settings.configure(MicroBatcher.<ChatJob, GenerationResult>builder()
                .setName(name)
                .optBucketer(bucketTokens == 0 ? null : job -> job.estimatedTextTokens() / bucketTokens)
                .setHandler(jobs -> {
                    List<ChatRequest> requests = new ArrayList<>(jobs.size());
                    for (ChatJob job : jobs) {
                        requests.add(job.request());
                    }
                    // one batch per device at a time (inference.device-concurrency)
                    return gate.runBatch(() -> model.answer(requests, settings.chatGeneration()));
                })
                .optPreprocessor(job -> job.decodeImage(model))
                .optScheduler(scheduler)
                .optListener(metrics))
                .build();
    }

    @Override
    public CompletableFuture<GenerationResult> submit(ChatJob job, Duration timeout) {
        return batcher.submit(job, timeout);
    }

    @Override
    public int queueDepth() {
        return batcher.queueDepth();
    }

    @Override
    public String mode() {
        return "static";
    }

    @Override
    public void close() {
        batcher.close();
    }
}
