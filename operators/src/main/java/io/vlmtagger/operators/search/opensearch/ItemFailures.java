package io.vlmtagger.operators.search.opensearch;

import java.util.Set;
import javax.annotation.Nullable;

/**
 * Decides what to do with one bulk item the cluster did not index: try again later, or give it up
 * to the dead-letter publisher.
 *
 * <p>Retried: 429 (rejected execution, the cluster is overloaded), 5xx (shard unavailable, node
 * leaving), 408, 409 version conflicts (a concurrent write of the same id; our index operation
 * carries no version, so a retry simply wins), and errors about the cluster rather than the
 * document: a missing or not yet recovered index or alias ({@code index_not_found_exception}, and
 * {@code invalid_index_name_exception} "already exists as alias", which a node answers while it
 * recovers its cluster state after a restart), closed indices, cluster blocks. Those are fixed on the
 * cluster side, so the sink waits (backpressure) instead of dead-lettering sound documents.
 *
 * <p>Everything else, above all 400 {@code mapper_parsing_exception} /
 * {@code strict_dynamic_mapping_exception} (mapping conflicts), would fail the same way forever and
 * goes to the dead letters.
 */
public final class ItemFailures {

    /** What to do with a failed item. */
    public enum Action { RETRY, DEAD_LETTER }

    private static final Set<String> MAPPING_ERRORS = Set.of(
            "mapper_parsing_exception",
            "strict_dynamic_mapping_exception",
            "document_parsing_exception",
            "illegal_argument_exception");

    private static final Set<String> CLUSTER_SIDE_ERRORS = Set.of(
            "es_rejected_execution_exception",
            "opensearch_rejected_execution_exception",
            "rejected_execution_exception",
            "unavailable_shards_exception",
            "no_shard_available_action_exception",
            "index_not_found_exception",
            "invalid_index_name_exception",
            "index_closed_exception",
            "cluster_block_exception",
            "process_cluster_event_timeout_exception",
            "circuit_breaking_exception",
            "node_closed_exception",
            "node_not_connected_exception");

    private ItemFailures() {}

    public static Action classify(int status, @Nullable String errorType) {
        if (status == 429 || status == 408 || status == 409 || status >= 500) {
            return Action.RETRY;
        }
        if (errorType != null && CLUSTER_SIDE_ERRORS.contains(errorType)) {
            return Action.RETRY;
        }
        return Action.DEAD_LETTER;
    }

    /** The stable reason written into the dead letter. */
    public static String reason(@Nullable String errorType) {
        return errorType != null && MAPPING_ERRORS.contains(errorType) ? "mapping_conflict" : "index_rejected";
    }
}
