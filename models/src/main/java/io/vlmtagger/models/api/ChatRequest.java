package io.vlmtagger.models.api;

import java.util.List;
import java.util.Objects;

/**
 * A visual question: the image, the earlier turns of the conversation (oldest first, may be
 * empty) and the new question. The chat template (e.g. LLaVA-1.5's {@code USER: <image>\n...
 * ASSISTANT:}) is applied by the model, not the caller.
 */
public record ChatRequest(PixelValues pixels, List<ChatTurn> history, String question) {
    public ChatRequest {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(question, "question");
        history = history == null ? List.of() : List.copyOf(history);
    }
}
