package io.vlmtagger.operators.chat;

import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.stage.EnrichedImages;
import io.vlmtagger.schemas.ChatAnswer;
import io.vlmtagger.schemas.EnrichedImage;

import java.time.Instant;
import java.util.HashMap;

/** The outputs of an answered question: the {@link ChatAnswer} and its {@link EnrichedImage} (stage {@value #STAGE}). */
final class ChatResults {
    static final String STAGE = "chat";

    private ChatResults() {}

    static ChatAnswer answer(ImageTask task, String conversationId, int turn, String question, GenerationResult result,
            ModelInfo model, Instant now) {
        return ChatAnswer.newBuilder()
                .setEventId(task.eventId())
                .setConversationId(conversationId)
                .setTurn(turn)
                .setQuestion(question)
                .setAnswer(result.text())
                .setImageSha256(task.imageSha256 == null ? "" : task.imageSha256)
                .setModel(model.name())
                .setRevision(model.revision())
                .setAnsweredAt(now)
                .setAttributes(task.event.getAttributes() == null
                        ? new HashMap<>() : new HashMap<>(task.event.getAttributes()))
                .build();
    }

    /** The answered question as an enriched image (written to the captions topic and the index too). */
    static EnrichedImage enriched(ImageTask task, String question, GenerationResult result, ModelInfo model, Instant now) {
        return EnrichedImages.base(task, STAGE, model, result.timings() == null ? 0.0 : result.timings().totalMs(), now)
                .setQuestion(question)
                .setAnswer(result.text())
                .build();
    }
}
