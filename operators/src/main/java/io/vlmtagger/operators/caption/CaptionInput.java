package io.vlmtagger.operators.caption;

import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.stage.ImageInput;

/** One input row of the caption stage: the task and, once preprocessed, its pixels. */
final class CaptionInput extends ImageInput {
    CaptionInput(ImageTask task) {
        super(task);
    }
}
