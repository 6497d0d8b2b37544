package io.vlmtagger.operators.search.opensearch;

import java.util.Set;
import javax.annotation.Nullable;

/**
 * Decides what to do with one bulk item the cluster did not index: try again later, or give it up
 * to the dead-letter publisher.
 *
 * <p>Retried: 429 (rejected execution, the cluster is overloaded), 5xx (shard unavailable, node
 * leaving), 408, and 409 version conflicts (a concurrent write of the same id; our index operation
 * carries no version, so a retry simply wins). Everything else, above all 400
 * {@code mapper_parsing_exception} / {@code strict_dynamic_mapping_exception} (mapping conflicts),
 * would fail the same way forever and goes to the dead letters.
 */
public final class ItemFailures {

    /** What to do with a failed item. */
    public enum Action { RETRY, DEAD_LETTER }

    private static final Set<String> MAPPING_ERRORS = Set.of(
            "mapper_parsing_exception",
            "strict_dynamic_mapping_exception",
            "document_parsing_exception",
            "illegal_argument_exception");

    private ItemFailures() {}

    public static Action classify(int status, @Nullable String errorType) {
        if (status == 429 || status == 408 || status == 409 || status >= 500) {
            return Action.RETRY;
        }
        if ("es_rejected_execution_exception".equals(errorType)
                || "opensearch_rejected_execution_exception".equals(errorType)
                || "unavailable_shards_exception".equals(errorType)) {
            return Action.RETRY;
        }
        return Action.DEAD_LETTER;
    }

    /** The stable reason written into the dead letter. */
    public static String reason(@Nullable String errorType) {
        return errorType != null && MAPPING_ERRORS.contains(errorType) ? "mapping_conflict" : "index_rejected";
    }
}
