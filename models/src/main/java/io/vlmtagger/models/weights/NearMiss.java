package io.vlmtagger.models.weights;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** Finds the checkpoint keys closest to a missing one, for error messages. */
final class NearMiss {
    private NearMiss() {}

    private record Scored(String name, int distance) {}

    static List<String> closest(String key, Collection<String> candidates, int limit) {
        return candidates.stream()
                .map(c -> new Scored(c, distance(key, c)))
                .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name))
                .limit(limit)
                .map(Scored::name)
                .toList();
    }

    /** Levenshtein distance; only run on the error path. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
