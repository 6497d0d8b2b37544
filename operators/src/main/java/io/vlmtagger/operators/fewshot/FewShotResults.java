package io.vlmtagger.operators.fewshot;

import io.vlmtagger.models.api.FewShotAnswer;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.stage.EnrichedImages;
import io.vlmtagger.schemas.EnrichedImage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;

/** The {@link EnrichedImage} of a few-shot tagged event (stage {@value FewShotOperator#STAGE}). */
final class FewShotResults {
    private FewShotResults() {}

    static EnrichedImage enriched(ImageTask task, FewShotAnswer answer, String labelSet, int exemplars,
            ModelInfo model, Instant now) {
        EnrichedImage.Builder b = EnrichedImages.base(task, FewShotOperator.STAGE, model, answer.inferenceMs(), now)
                .setTags(new ArrayList<>(answer.tags()));
        Map<String, String> attributes = b.getAttributes();
        attributes.put(FewShotOperator.ATTR_LABEL_SET, labelSet);
        attributes.put(FewShotOperator.ATTR_EXEMPLARS, Integer.toString(exemplars));
        return b.build();
    }
}
