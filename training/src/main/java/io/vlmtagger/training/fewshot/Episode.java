package io.vlmtagger.training.fewshot;

import io.vlmtagger.training.dataset.Scene;
import io.vlmtagger.training.dataset.ShapesDataset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

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

    /**
     * The episode's scenes, exemplars then the query, drawn from {@link #seed}: the same images
     * wherever they are rendered (training batches, evaluation); scene {@code i} is numbered
     * {@code firstIndex + i}.
     */
    public List<Scene> scenes(ShapesDataset renderer, int firstIndex) {
        Random random = new Random(seed);
        List<Look> looks = new ArrayList<>(exemplars);
        looks.add(query);
        List<Scene> out = new ArrayList<>(looks.size());
        for (int i = 0; i < looks.size(); i++) {
            out.add(looks.get(i).scene(renderer, firstIndex + i, random));
        }
        return out;
    }
}
