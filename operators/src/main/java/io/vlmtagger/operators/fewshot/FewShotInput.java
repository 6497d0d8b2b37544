package io.vlmtagger.operators.fewshot;

import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.operators.stage.ImageInput;
import io.vlmtagger.schemas.Exemplar;

import java.util.List;

/**
 * One input row of the few-shot stage: the event, its label set's exemplars as they were when it
 * arrived and the key of that version of them, and the query's pixels once preprocessed. Lives
 * only in the runtime's memory; the operator's state holds the task with its encoded image.
 */
final class FewShotInput extends ImageInput {
    final List<Exemplar> exemplars;
    /** Changes whenever the label set's exemplars change: the key of their prepared features. */
    final String exemplarVersion;

    FewShotInput(ImageTask task, List<Exemplar> exemplars, String exemplarVersion) {
        super(task);
        this.exemplars = exemplars;
        this.exemplarVersion = exemplarVersion;
    }
}
