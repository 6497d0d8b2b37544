package io.vlmtagger.training.fewshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Exact-tag accuracy of few-shot episodes: overall, per k and per rule. */
public final class FewShotScores {
    private final Map<Integer, int[]> byK = new TreeMap<>();
    private final Map<String, int[]> byRule = new TreeMap<>();
    private final List<String> mistakes = new ArrayList<>();

    /** Records one episode: right when the tags are exactly {@code [answer]}. */
    public void add(Episode e, List<String> tags) {
        boolean right = tags.equals(List.of(e.answer()));
        count(byK.computeIfAbsent(e.k(), k -> new int[2]), right);
        count(byRule.computeIfAbsent(e.rule().label(), r -> new int[2]), right);
        if (!right && mistakes.size() < 10) {
            mistakes.add(e.rule().label() + " k=" + e.k() + ": query " + e.query() + " expected [" + e.answer()
                    + "], got " + tags + " (exemplars " + e.labels() + ")");
        }
    }

    private static void count(int[] c, boolean right) {
        c[0] += right ? 1 : 0;
        c[1]++;
    }

    public int episodes() {
        return byK.values().stream().mapToInt(c -> c[1]).sum();
    }

    public double accuracy() {
        int right = byK.values().stream().mapToInt(c -> c[0]).sum();
        return episodes() == 0 ? 0 : right / (double) episodes();
    }

    public double accuracyForK(int k) {
        int[] c = byK.get(k);
        return c == null || c[1] == 0 ? 0 : c[0] / (double) c[1];
    }

    public double accuracyForRule(Rule rule) {
        int[] c = byRule.get(rule.label());
        return c == null || c[1] == 0 ? 0 : c[0] / (double) c[1];
    }

    public List<String> mistakes() {
        return List.copyOf(mistakes);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format("exact tags %.1f%% (%d episodes); per k:", 100 * accuracy(),
                episodes()));
        byK.forEach((k, c) -> sb.append(String.format(" %d %.1f%% (%d/%d)", k, 100.0 * c[0] / c[1], c[0], c[1])));
        sb.append("; per rule:");
        byRule.forEach((r, c) -> sb.append(String.format(" %s %.1f%% (%d/%d)", r, 100.0 * c[0] / c[1], c[0], c[1])));
        return sb.toString();
    }
}
