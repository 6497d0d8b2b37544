package io.vlmtagger.operators.caption;

import io.vlmtagger.models.api.GenerationResult;
import io.vlmtagger.models.api.ModelInfo;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.stage.EnrichedImages;
import io.vlmtagger.schemas.EnrichedImage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The {@link EnrichedImage} of a captioned image (stage {@value #STAGE}). */
public final class CaptionResults {
    public static final String STAGE = "caption";

    private CaptionResults() {}

    /** A captioned image; {@code now} is both inferredAt and emittedAt. */
    public static EnrichedImage captioned(ImageTask task, GenerationResult result, List<String> tags, ModelInfo model,
                                          Instant now) {
        return EnrichedImages.base(task, STAGE, model, result.timings() == null ? 0.0 : result.timings().totalMs(), now)
                .setCaption(result.text())
                .setTags(new ArrayList<>(tags))
                .build();
    }
}
