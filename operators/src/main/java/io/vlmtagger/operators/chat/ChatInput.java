package io.vlmtagger.operators.chat;

import io.vlmtagger.models.api.ChatRequest;
import io.vlmtagger.models.api.ChatTurn;
import io.vlmtagger.models.api.ImageDecodeException;
import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.stage.ImageInput;

import java.util.List;

/**
 * One input row of the chat stage: the question, the history read when it was submitted, the
 * pixels once preprocessed (kept across attempts). Lives only in the runtime's memory.
 */
final class ChatInput extends ImageInput {
    final String question;
    final List<ChatTurn> history;

    ChatInput(ImageTask task, String question, List<ChatTurn> history) {
        super(task);
        this.question = question;
        this.history = history;
    }

    /** Decodes and resizes the image once (a retried attempt reuses the pixels); returns this input. */
    ChatInput preprocess(VisualChatModel model) throws ImageDecodeException {
        preprocessOnce(model::preprocess, "chat");
        return this;
    }

    /** The model request; call after {@link #preprocess}. */
    ChatRequest request() {
        return new ChatRequest(pixels(), history, question);
    }

    /** Rough text prompt length in tokens (4 characters a token), for bucketing; image tokens excluded. */
    int estimatedTextTokens() {
        long chars = question.length();
        for (ChatTurn t : history) {
            chars += (t.question() == null ? 0 : t.question().length()) + (t.answer() == null ? 0 : t.answer().length());
        }
        return (int) Math.min(Integer.MAX_VALUE, chars / 4);
    }
}
