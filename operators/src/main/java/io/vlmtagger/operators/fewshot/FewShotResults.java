package io.vlmtagger.operators.fewshot;

import io.vlmtagger.models.api.FewShotAnswer;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.operators.inference.EnrichedImages;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.ImageEvent;
import io.vlmtagger.schemas.ModelStage;
import io.vlmtagger.schemas.Timings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@link EnrichedImage} of a few-shot tagged event (stage {@value FewShotFunction#STAGE}). */
final class FewShotResults {
    private FewShotResults() {}

    static EnrichedImage enriched(ImageTask task, FewShotAnswer answer, String labelSet, int exemplars,
            ModelInfo model, Instant now) {
        ImageEvent e = task.event;
        Map<String, String> attributes = e.getAttributes() == null ? new HashMap<>() : new HashMap<>(e.getAttributes());
        attributes.put(FewShotFunction.ATTR_LABEL_SET, labelSet);
        attributes.put(FewShotFunction.ATTR_EXEMPLARS, Integer.toString(exemplars));
        List<ModelStage> models = new ArrayList<>();
        models.add(ModelStage.newBuilder().setStage(FewShotFunction.STAGE).setModel(model.name())
                .setRevision(model.revision()).build());
        return EnrichedImage.newBuilder()
                .setEventId(e.getEventId())
                .setEventTime(e.getEventTime())
                .setSource(e.getSource())
                .setImageRef(EnrichedImages.imageRef(task))
                .setImageSha256(task.imageSha256 == null ? "" : task.imageSha256)
                .setTags(new ArrayList<>(answer.tags()))
                .setModels(models)
                .setTimings(Timings.newBuilder()
                        .setReceivedAt(Instant.ofEpochMilli(task.receivedAtMs))
                        .setInferredAt(now)
                        .setEmittedAt(now)
                        .setInferenceMs(answer.inferenceMs())
                        .build())
                .setAttributes(attributes)
                .build();
    }
}
