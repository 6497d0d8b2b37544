package io.vlmtagger.jobs;

import io.vlmtagger.models.api.FewShotTagger;
import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.idefics.IdeficsFewShotTagger;
import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.models.pipeline.Blip2Captioner;
import io.vlmtagger.models.pipeline.LlavaChatModel;
import io.vlmtagger.operators.slots.ModelProvider;

/**
 * The production model providers: BLIP-2 and LLaVA loaded from HuggingFace checkpoint directories.
 * {@link Blip2Captioner} and {@link LlavaChatModel} share their weights through the models
 * module's per-JVM {@code SharedModelRegistry}: one loaded model per (checkpoint, device, dtype),
 * whatever the number of subtasks on that device; closing a handle releases one reference. A
 * checkpoint written {@code builtin:<name>} is a shipped one, extracted on the TaskManager that loads
 * it ({@link BuiltinCheckpoints}).
 */
public final class CheckpointModels {

    /** BLIP-2 captioners from {@code ModelSpec.checkpointDir()} on the subtask's device. */
    public static ModelProvider<ImageCaptioner> captioners() {
        return (spec, device) -> {
            Blip2Captioner.Builder b = Blip2Captioner.builder()
                    .setCheckpoint(BuiltinCheckpoints.resolve(spec.checkpointDir()))
                    .optDevice(device)
                    .optDtype(spec.dtype());
            if (spec.revision() != null) {
                b.optRevision(spec.revision());
            }
            return b.build();
        };
    }

    /** LLaVA chat models from {@code ModelSpec.checkpointDir()} on the subtask's device. */
    public static ModelProvider<VisualChatModel> chatModels() {
        return (spec, device) -> {
            LlavaChatModel.Builder b = LlavaChatModel.builder()
                    .setCheckpoint(BuiltinCheckpoints.resolve(spec.checkpointDir()))
                    .optDevice(device)
                    .optDtype(spec.dtype());
            if (spec.revision() != null) {
                b.optRevision(spec.revision());
            }
            return b.build();
        };
    }

    /** IDEFICS few-shot taggers from {@code ModelSpec.checkpointDir()} on the subtask's device. */
    public static ModelProvider<FewShotTagger> fewShotTaggers() {
        return (spec, device) -> IdeficsFewShotTagger.load(BuiltinCheckpoints.resolve(spec.checkpointDir()), device, spec.dtype());
    }

    private CheckpointModels() {}
}
