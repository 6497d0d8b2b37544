package io.vlmtagger.jobs.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Finds the known option keys closest to a mistyped one (edit distance, plus same last segment). */
final class KeySuggestions {

    static List<String> closest(String key, Iterable<String> known, int limit) {
        String k = key.toLowerCase(Locale.ROOT);
        String lastSegment = k.substring(k.lastIndexOf('.') + 1);
        record Scored(String key, int score) {}
        List<Scored> scored = new ArrayList<>();
        for (String candidate : known) {
            String c = candidate.toLowerCase(Locale.ROOT);
            int d = distance(k, c);
            int threshold = Math.max(2, Math.min(k.length(), c.length()) / 3);
            boolean sameLeaf = lastSegment.length() >= 3
                    && c.substring(c.lastIndexOf('.') + 1).equals(lastSegment);
            boolean contains = k.length() >= 4 && (c.contains(k) || k.contains(c));
            if (d <= threshold || sameLeaf || contains) {
                scored.add(new Scored(candidate, d));
            }
        }
        scored.sort(Comparator.comparingInt(Scored::score).thenComparing(Scored::key));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < scored.size() && i < limit; i++) {
            out.add(scored.get(i).key());
        }
        return out;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private KeySuggestions() {}
}
