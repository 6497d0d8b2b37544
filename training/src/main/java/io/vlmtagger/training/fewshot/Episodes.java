package io.vlmtagger.training.fewshot;

import io.vlmtagger.training.dataset.ShapesDataset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Deterministic episode generator: episode {@code i} of seed {@code s} depends only on them.
 *
 * <p>An episode draws a rule (from the generator's list), a base look, {@code n} (2 to
 * {@code min(k, values)}) distinct values of the rule's properties and {@code n} distinct label
 * words (from the generator's pool) for them. The {@code k} exemplars show every value at least
 * once, in random order, and differ from the base look only in the rule's properties, so the
 * exemplars alone define what the labels mean. The query has one of the values and draws its other
 * properties freely: the model must match it on the rule's properties only.
 */
public final class Episodes {
    private final long seed;
    private final List<String> labelPool;
    private final List<Rule> rules;

    public Episodes(long seed, List<String> labelPool, List<Rule> rules) {
        this.seed = seed;
        this.labelPool = List.copyOf(labelPool);
        this.rules = List.copyOf(rules);
    }

    /** Episode {@code index} with {@code k} exemplars, its rule drawn from this generator's rules. */
    public Episode episode(int index, int k) {
        Random r = random(index);
        return episode(r, rules.get(r.nextInt(rules.size())), k);
    }

    /** Episode {@code index} with {@code k} exemplars under {@code rule}. */
    public Episode episode(int index, int k, Rule rule) {
        return episode(random(index), rule, k);
    }

    private Episode episode(Random r, Rule rule, int k) {
        if (k < 2) {
            throw new IllegalArgumentException("an episode needs at least 2 exemplars, got " + k);
        }
        Look base = Look.random(r);
        int n = 2 + r.nextInt(Math.min(k, rule.domain()) - 1);
        List<Integer> values = new ArrayList<>();
        for (int v = 0; v < rule.domain(); v++) {
            values.add(v);
        }
        Collections.shuffle(values, r);
        values = values.subList(0, n);
        List<String> pool = new ArrayList<>(labelPool);
        Collections.shuffle(pool, r);
        List<Integer> shown = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            shown.add(i < n ? i : r.nextInt(n));
        }
        Collections.shuffle(shown, r);
        List<Look> exemplars = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i : shown) {
            exemplars.add(rule.apply(base, values.get(i)));
            labels.add(pool.get(i));
        }
        int answer = r.nextInt(n);
        Look query = rule.apply(Look.random(r), values.get(answer));
        return new Episode(rule, exemplars, labels, query, pool.get(answer), r.nextLong());
    }

    private Random random(int index) {
        return ShapesDataset.random(seed, index);
    }
}
