package io.vlmtagger.operators.caption;

import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.operators.records.ImageTask;

/**
 * One input row of the caption stage: the task and, once preprocessed, its pixels (kept across
 * attempts so that a retry does not decode again). Lives only in the runtime's memory; Flink's
 * state holds the {@link ImageTask} with its encoded image, never the pixels.
 */
final class CaptionInput {
    final ImageTask task;
    volatile PixelValues pixels;

    CaptionInput(ImageTask task) {
        this.task = task;
    }
}
