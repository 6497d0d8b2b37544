package io.vlmtagger.jobs;

import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Used when the job runs without the model a task needs (a chat checkpoint for questions, a
 * few-shot checkpoint for FEW_SHOT_TAGS): such events cannot be served, so each one becomes a dead
 * letter (stage INFERENCE, reason {@code chat_disabled} / {@code few_shot_disabled}) instead of
 * vanishing.
 */
final class TaskDisabled extends ProcessFunction<ImageTask, DeadLetter> {
    private static final long serialVersionUID = 1L;

    private final String reason;
    private final String message;

    private TaskDisabled(String reason, String message) {
        this.reason = reason;
        this.message = message;
    }

    static TaskDisabled chat(String checkpointKey) {
        return new TaskDisabled("chat_disabled",
                "the event asks a question but the job runs without a chat model; set " + checkpointKey);
    }

    static TaskDisabled fewShot(String checkpointKey) {
        return new TaskDisabled("few_shot_disabled",
                "the event asks for few-shot tags but the job runs without a few-shot model; set " + checkpointKey);
    }

    @Override
    public void processElement(ImageTask task, Context ctx, Collector<DeadLetter> out) {
        out.collect(DeadLetters.forTask(task)
                .setStage(FailureStage.INFERENCE)
                .setReason(reason)
                .optMessage(message)
                .build());
    }
}
