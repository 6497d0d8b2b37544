package io.vlmtagger.jobs.reliability;

import io.vlmtagger.models.api.ChatRequest;
import io.vlmtagger.models.api.GenerationOptions;
import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.models.api.Timings;
import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.models.text.PromptTooLongException;
import io.vlmtagger.operators.runtime.ModelProvider;
import io.vlmtagger.operators.runtime.ModelSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * A chat model with a small context ({@value #MAX_CONTEXT_TOKENS} tokens, one per whitespace-separated
 * word) that refuses over-long prompts the way {@code LlavaChatTemplate} does, with the models
 * module's {@link PromptTooLongException}, for the whole batch the prompt is in. Images are decoded
 * by {@link DecodingCaptioner}'s real decoder; the answer echoes the question's length.
 */
final class ContextLimitedChatModel implements VisualChatModel {
    static final int MAX_CONTEXT_TOKENS = 256;

    private final DecodingCaptioner images = new DecodingCaptioner();

    static ModelProvider<VisualChatModel> provider() {
        return ContextLimitedChatModel::open;
    }

    private static VisualChatModel open(ModelSpec spec, String device) {
        return new ContextLimitedChatModel();
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo("context-limited-chat", "test", "cpu", "float32");
    }

    @Override
    public PixelValues preprocess(byte[] encodedImage) throws ImageDecodeException {
        return images.preprocess(encodedImage);
    }

    @Override
    public List<GenerationResult> answer(List<ChatRequest> requests, GenerationOptions options) {
        List<GenerationResult> out = new ArrayList<>();
        for (ChatRequest r : requests) {
            int tokens = r.question().strip().split("\\s+").length;
            if (tokens > MAX_CONTEXT_TOKENS) {
                throw new PromptTooLongException(tokens, MAX_CONTEXT_TOKENS);
            }
            String text = "an answer to a question of " + tokens + " words";
            out.add(new GenerationResult(text, new long[] {1}, tokens, 1, new Timings(0, 0, 0, 0)));
        }
        return out;
    }

    @Override
    public int maxContextTokens() {
        return MAX_CONTEXT_TOKENS;
    }

    @Override
    public void close() {
    }
}
