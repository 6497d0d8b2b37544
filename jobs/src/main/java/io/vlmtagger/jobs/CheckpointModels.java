package io.vlmtagger.jobs;

import io.vlmtagger.models.api.ImageCaptioner;
import io.vlmtagger.models.api.VisualChatModel;
import io.vlmtagger.operators.slots.ModelProvider;

/**
 * The production model providers: BLIP-2 and LLaVA loaded from checkpoint directories through the
 * models module's per-JVM {@code SharedModelRegistry}, one loaded model per (checkpoint, dtype,
 * device) shared by every subtask of a TaskManager.
 */
public final class CheckpointModels {

    /** BLIP-2 captioners from {@code ModelSpec.checkpointDir()}. */
    public static ModelProvider<ImageCaptioner> captioners() {
        return (spec, device) -> {
            throw new UnsupportedOperationException("loading BLIP-2 checkpoints is not wired yet: the models module "
                    + "has no ImageCaptioner implementation on this build (" + spec.checkpointDir() + ")");
        };
    }

    /** LLaVA chat models from {@code ModelSpec.checkpointDir()}. */
    public static ModelProvider<VisualChatModel> chatModels() {
        return (spec, device) -> {
            throw new UnsupportedOperationException("loading LLaVA checkpoints is not wired yet: the models module "
                    + "has no VisualChatModel implementation on this build (" + spec.checkpointDir() + ")");
        };
    }

    private CheckpointModels() {}
}
