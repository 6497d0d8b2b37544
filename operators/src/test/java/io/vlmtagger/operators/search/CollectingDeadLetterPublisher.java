package io.vlmtagger.operators.search;

import io.vlmtagger.schemas.DeadLetter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps dead letters in memory for assertions. A per-JVM registry keyed by a name is the point
 * here: the sink serializes the factory into the MiniCluster, and the test reads the letters back
 * through the same name.
 */
public final class CollectingDeadLetterPublisher implements DeadLetterPublisher {
    private static final Map<String, List<DeadLetter>> LETTERS = new ConcurrentHashMap<>();

    private final String name;

    private CollectingDeadLetterPublisher(String name) {
        this.name = name;
    }

    /** A factory whose publishers all collect into {@link #letters(String)} of this name. */
    public static Factory factory(String name) {
        LETTERS.put(name, new CopyOnWriteArrayList<>());
        return subtask -> new CollectingDeadLetterPublisher(name);
    }

    public static List<DeadLetter> letters(String name) {
        return new ArrayList<>(LETTERS.getOrDefault(name, List.of()));
    }

    @Override
    public CompletableFuture<Void> publish(DeadLetter letter) {
        LETTERS.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(letter);
        return CompletableFuture.completedFuture(null);
    }
}
