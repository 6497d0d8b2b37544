package io.vlmtagger.operators.fewshot;

import io.vlmtagger.schemas.Exemplar;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The update rule of one label set's exemplars, a pure function so it can be tested without Flink:
 * a tombstone ({@code deleted}) removes its {@code exemplarId}; any other exemplar replaces the
 * one with the same id (unless that one is newer: a late, older version is ignored) and the set
 * keeps only the latest {@code max} by {@code publishedAt} (ties: the later arrival counts as newer).
 * Sets are ordered oldest first, the order in which the prompt shows them.
 */
public final class ExemplarSets {
    private static final Comparator<Exemplar> BY_PUBLISHED = Comparator.comparing(Exemplar::getPublishedAt);

    private ExemplarSets() {}

    /** What {@link #apply} did, for metrics and logs. */
    public enum Change { ADDED, REPLACED, REMOVED, IGNORED_STALE, IGNORED_UNKNOWN_TOMBSTONE }

    /** The result: the new set (possibly empty) and what happened. */
    public record Update(List<Exemplar> exemplars, Change change, int evicted) {}

    /**
     * @param current the label set's exemplars, oldest first (not modified); null = none yet
     * @param max the bound per label set (at least 1)
     */
    public static Update apply(List<Exemplar> current, Exemplar incoming, int max) {
        List<Exemplar> next = current == null ? new ArrayList<>() : new ArrayList<>(current);
        String id = incoming.getExemplarId();
        Exemplar existing = next.stream().filter(e -> e.getExemplarId().equals(id)).findFirst().orElse(null);
        if (existing != null && existing.getPublishedAt().isAfter(incoming.getPublishedAt())) {
            return new Update(next, Change.IGNORED_STALE, 0);
        }
        if (incoming.getDeleted()) {
            if (existing == null) {
                return new Update(next, Change.IGNORED_UNKNOWN_TOMBSTONE, 0);
            }
            next.remove(existing);
            return new Update(next, Change.REMOVED, 0);
        }
        if (existing != null) {
            next.remove(existing);
        }
        next.add(incoming);
        next.sort(BY_PUBLISHED); // stable: equal timestamps keep arrival order
        int evicted = Math.max(0, next.size() - max);
        List<Exemplar> bounded = new ArrayList<>(next.subList(evicted, next.size()));
        return new Update(bounded, existing != null ? Change.REPLACED : Change.ADDED, evicted);
    }

    /** Why an exemplar cannot be used, or null when it can (tombstones need only id and label set). */
    public static String invalidReason(Exemplar e) {
        if (e.getExemplarId() == null || e.getExemplarId().isBlank()) {
            return "exemplarId is empty";
        }
        if (e.getLabelSet() == null || e.getLabelSet().isBlank()) {
            return "labelSet is empty";
        }
        if (e.getDeleted()) {
            return null;
        }
        if (e.getImage() == null || !e.getImage().hasRemaining()) {
            return "image is empty";
        }
        boolean noTags = e.getTags() == null || e.getTags().stream().allMatch(t -> t == null || t.isBlank());
        boolean noCaption = e.getCaption() == null || e.getCaption().isBlank();
        if (noTags && noCaption) {
            return "has neither tags nor a caption";
        }
        return null;
    }
}
