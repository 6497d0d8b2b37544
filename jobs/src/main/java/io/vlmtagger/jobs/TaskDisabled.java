package io.vlmtagger.jobs;

import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Used when the job runs without a chat checkpoint: questions cannot be answered, so each one
 * becomes a dead letter (stage INFERENCE, reason {@value #REASON}) instead of vanishing.
 */
final class ChatDisabled extends ProcessFunction<ImageTask, DeadLetter> {
    private static final long serialVersionUID = 1L;

    static final String REASON = "chat_disabled";

    private final String checkpointKey;

    ChatDisabled(String checkpointKey) {
        this.checkpointKey = checkpointKey;
    }

    @Override
    public void processElement(ImageTask task, Context ctx, Collector<DeadLetter> out) {
        out.collect(DeadLetters.forTask(task)
                .setStage(FailureStage.INFERENCE)
                .setReason(REASON)
                .optMessage("the event asks a question but the job runs without a chat model; set " + checkpointKey)
                .build());
    }
}
