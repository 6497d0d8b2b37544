package io.vlmtagger.operators.chat;

import io.vlmtagger.models.api.ChatRequest;
import io.vlmtagger.models.api.ContinuousChat;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.operators.runtime.ContinuousModel;
import io.vlmtagger.operators.runtime.InferenceRuntime;
import io.vlmtagger.operators.runtime.ModelHandler;
import io.vlmtagger.operators.stage.InferenceSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The chat stage's part of the runtime: decode and resize the image, answer a batch of questions;
 * with {@code chat.continuous-batching}, questions go into the model's continuous-batching loop
 * (when it has one) instead of static batches, which are bucketed by estimated prompt length
 * ({@code chat.prompt-bucket-tokens}).
 */
final class ChatHandler implements ModelHandler<ChatInput, GenerationResult> {
    private static final Logger LOG = LoggerFactory.getLogger(ChatHandler.class);

    private final VisualChatModel model;
    private final GenerationOptions generation;

    private ChatHandler(VisualChatModel model, GenerationOptions generation) {
        this.model = model;
        this.generation = generation;
    }

    /** A runtime builder for {@code model}: continuous or static batches as {@code settings} and the model allow. */
    static InferenceRuntime.Builder<ChatInput, GenerationResult> runtime(VisualChatModel model, InferenceSettings settings) {
        GenerationOptions generation = settings.chatGeneration();
        InferenceRuntime.Builder<ChatInput, GenerationResult> b = InferenceRuntime.<ChatInput, GenerationResult>builder()
                .setHandler(new ChatHandler(model, generation))
                .optNewTokens(GenerationResult::newTokens);
        if (settings.chatContinuousBatching()) {
            var loop = model.openContinuous(settings.maxBatchSize(), settings.capacity());
            if (loop.isPresent()) {
                return b.optContinuous(new Loop(loop.get(), generation));
            }
            LOG.info("chat model {} has no continuous-batching loop: it answers in static batches", model.info().name());
        }
        int bucketTokens = settings.chatPromptBucketTokens();
        return b.optBucketer(bucketTokens == 0 ? null : input -> input.estimatedTextTokens() / bucketTokens);
    }

    @Override
    public ChatInput preprocess(ChatInput input) throws Exception {
        return input.preprocess(model);
    }

    @Override
    public List<GenerationResult> runBatch(List<ChatInput> batch) {
        List<ChatRequest> requests = new ArrayList<>(batch.size());
        for (ChatInput input : batch) {
            requests.add(input.request());
        }
        return model.answer(requests, generation);
    }

    /** The model's continuous loop as the runtime drives it. */
    private record Loop(ContinuousChat chat, GenerationOptions generation) implements ContinuousModel<ChatInput, GenerationResult> {
        @Override
        public CompletableFuture<GenerationResult> submit(ChatInput input) {
            return chat.submit(input.request(), generation);
        }

        @Override
        public int queueDepth() {
            return chat.queueDepth();
        }

        @Override
        public void close() {
            chat.close();
        }
    }
}
