package io.vlmtagger.operators.fewshot;

import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.schemas.Exemplar;

import java.util.List;

/**
 * One input row of the few-shot stage: the event, its label set's exemplars as they were when it
 * arrived and the key of that version of them, and the query's pixels once preprocessed. Lives
 * only in the runtime's memory; the operator's state holds the task with its encoded image.
 */
final class FewShotInput {
    final ImageTask task;
    final List<Exemplar> exemplars;
    /** Changes whenever the label set's exemplars change: the key of their prepared features. */
    final String exemplarVersion;
    volatile PixelValues pixels;

    FewShotInput(ImageTask task, List<Exemplar> exemplars, String exemplarVersion) {
        this.task = task;
        this.exemplars = exemplars;
        this.exemplarVersion = exemplarVersion;
    }
}
