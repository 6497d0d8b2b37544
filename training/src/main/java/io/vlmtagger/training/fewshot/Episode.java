package io.vlmtagger.training.fewshot;

import java.util.List;

/**
 * One few-shot episode: exemplar looks with their labels (a fresh mapping from the rule's values to
 * label words), and a query whose rule value is among the exemplars'; {@code answer} is its label.
 * {@code seed} drives the rendering of the images.
 */
public record Episode(Rule rule, List<Look> exemplars, List<String> labels, Look query, String answer, long seed) {
    public Episode {
        exemplars = List.copyOf(exemplars);
        labels = List.copyOf(labels);
    }

    /** The number of exemplars, k. */
    public int k() {
        return exemplars.size();
    }
}
