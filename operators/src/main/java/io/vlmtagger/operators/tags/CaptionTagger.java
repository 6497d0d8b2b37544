package io.vlmtagger.operators.tags;

import java.io.Serializable;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Tags derived from a caption: lowercase, punctuation stripped, split on whitespace, English stop
 * words and numbers written as digits ("2", "2024"; "3d" stays) dropped, simple plurals normalised ("circles" -> "circle",
 * "boxes" -> "box", "puppies" -> "puppy"), duplicates removed, first-seen order kept.
 * Deterministic and stateless: {@code "Two red circles and a Red circle."} gives {@code [two, red, circle]}.
 */
public final class CaptionTagger implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Words that say nothing about the image content; includes caption filler ("image", "picture"). */
    static final Set<String> STOP_WORDS = Set.of(
            "a", "an", "the", "and", "or", "but", "nor", "so", "yet", "of", "in", "on", "at", "to", "for", "from",
            "by", "with", "without", "about", "above", "below", "over", "under", "into", "onto", "near", "between",
            "behind", "beside", "next", "through", "up", "down", "out", "off", "as", "than", "then", "there", "here",
            "is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had", "having", "do", "does",
            "did", "it", "its", "it's", "this", "that", "these", "those", "they", "them", "their", "he", "she", "his",
            "her", "we", "our", "you", "your", "i", "me", "my", "who", "whom", "which", "what", "where", "when",
            "why", "how", "some", "any", "each", "other", "such", "very", "just", "also", "not", "no", "only",
            "own", "same", "too", "can", "will", "would", "should", "could", "may", "might", "while", "if",
            "all", "both", "few", "more", "most", "many", "much", "one's", "s", "image", "picture", "photo",
            "photograph", "shows", "showing", "contains", "containing", "depicts", "depicting", "view");

    /** Words ending in s that are not plurals (or whose singular would be wrong). */
    private static final Set<String> NOT_PLURAL = Set.of(
            "glass", "grass", "bus", "gas", "dress", "cross", "moss", "class", "chess", "boss", "mass", "canvas",
            "lens", "news", "jeans", "pants", "shorts", "scissors", "glasses", "species", "series", "its",
            "this", "is", "was", "has", "always", "plus", "various", "tennis", "virus", "cactus", "octopus",
            "status", "campus", "circus", "atlas", "iris", "bias", "christmas", "tenses");

    /** Irregular plurals common in image captions. */
    private static final java.util.Map<String, String> IRREGULAR = Map.ofEntries(
            Map.entry("men", "man"), Map.entry("women", "woman"),
            Map.entry("children", "child"), Map.entry("people", "person"),
            Map.entry("feet", "foot"), Map.entry("teeth", "tooth"),
            Map.entry("mice", "mouse"), Map.entry("geese", "goose"),
            Map.entry("wolves", "wolf"), Map.entry("leaves", "leaf"),
            Map.entry("knives", "knife"), Map.entry("shelves", "shelf"),
            Map.entry("halves", "half"), Map.entry("loaves", "loaf"),
            Map.entry("wives", "wife"), Map.entry("lives", "life"),
            Map.entry("tomatoes", "tomato"), Map.entry("potatoes", "potato"),
            Map.entry("sheep", "sheep"), Map.entry("fish", "fish"),
            Map.entry("cookies", "cookie"), Map.entry("movies", "movie"),
            Map.entry("ties", "tie"), Map.entry("pies", "pie"));

    /** The tags of {@code caption}, in first-seen order; empty for null or blank captions. */
    public List<String> tags(String caption) {
        List<String> out = new ArrayList<>();
        if (caption == null || caption.isBlank()) {
            return out;
        }
        String text = Normalizer.normalize(caption, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        // keep letters, digits, intra-word apostrophes and hyphens; everything else separates words
        text = text.replace('\u2019', '\'');
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (String raw : text.split("[^\\p{L}\\p{N}'-]+")) {
            String word = trim(raw);
            if (word.endsWith("'s")) {
                word = word.substring(0, word.length() - 2);
            }
            word = word.replace("'", "");
            if (word.isEmpty() || STOP_WORDS.contains(word) || word.chars().allMatch(Character::isDigit)) {
                continue;
            }
            word = singular(word);
            if (!word.isEmpty() && !STOP_WORDS.contains(word)) {
                seen.add(word);
            }
        }
        out.addAll(seen);
        return out;
    }

    private static String trim(String w) {
        int start = 0;
        int end = w.length();
        while (start < end && (w.charAt(start) == '\'' || w.charAt(start) == '-')) {
            start++;
        }
        while (end > start && (w.charAt(end - 1) == '\'' || w.charAt(end - 1) == '-')) {
            end--;
        }
        return w.substring(start, end);
    }

    /** Simple English plural -> singular; leaves short words and known non-plurals alone. */
    static String singular(String w) {
        String irregularShort = IRREGULAR.get(w);
        if (irregularShort != null) {
            return irregularShort;
        }
        if (w.length() <= 3 || NOT_PLURAL.contains(w) || w.endsWith("ss") || w.endsWith("us") || w.endsWith("is")) {
            return w;
        }
        String irregular = IRREGULAR.get(w);
        if (irregular != null) {
            return irregular;
        }
        if (w.endsWith("ies") && w.length() > 4) {
            return w.substring(0, w.length() - 3) + "y";
        }
        if (w.endsWith("ches") || w.endsWith("shes") || w.endsWith("xes") || w.endsWith("sses")) {
            return w.substring(0, w.length() - 2);
        }
        if (w.endsWith("s")) {
            return w.substring(0, w.length() - 1);
        }
        return w;
    }
}
