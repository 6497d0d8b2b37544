package io.vlmtagger.training;

import io.vlmtagger.training.dataset.CaptionGrammar;
import io.vlmtagger.training.dataset.QaPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Question answering accuracy over a held-out set, overall and per question type (exact answer). */
public final class QaScores {
    private final Map<String, int[]> byType = new LinkedHashMap<>();
    private final List<String> mistakes = new ArrayList<>();

    public QaScores() {
        CaptionGrammar.QUESTION_TYPES.forEach(t -> byType.put(t, new int[2]));
    }

    public void add(QaPair qa, String generated) {
        String got = generated.strip().toLowerCase(Locale.ROOT);
        int[] counts = byType.computeIfAbsent(qa.type(), t -> new int[2]);
        counts[1]++;
        if (got.equals(qa.answer())) {
            counts[0]++;
        } else if (mistakes.size() < 10) {
            mistakes.add("\"" + qa.question() + "\": expected \"" + qa.answer() + "\", got \"" + got + "\"");
        }
    }

    public int questions() {
        return byType.values().stream().mapToInt(c -> c[1]).sum();
    }

    public double accuracy() {
        int right = byType.values().stream().mapToInt(c -> c[0]).sum();
        return questions() == 0 ? 0 : right / (double) questions();
    }

    public double accuracy(String type) {
        int[] c = byType.get(type);
        return c == null || c[1] == 0 ? 0 : c[0] / (double) c[1];
    }

    public List<String> mistakes() {
        return List.copyOf(mistakes);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format("question answering %.2f%% (%d questions);",
                100 * accuracy(), questions()));
        byType.forEach((type, c) -> sb.append(String.format(" %s %.2f%% (%d/%d)", type,
                c[1] == 0 ? 0 : 100.0 * c[0] / c[1], c[0], c[1])));
        return sb.toString();
    }
}
