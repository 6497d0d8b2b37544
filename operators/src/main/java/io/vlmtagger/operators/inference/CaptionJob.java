package io.vlmtagger.operators.inference;

import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.operators.records.ImageTask;

/**
 * One request of the caption batcher: the task and, once preprocessed, its pixels (kept across
 * attempts so that a retry does not decode again).
 */
final class CaptionJob {
    final ImageTask task;
    volatile PixelValues pixels;

    CaptionJob(ImageTask task) {
        this.task = task;
    }
}
