package io.vlmtagger.operators.search.opensearch;

import static io.vlmtagger.operators.search.opensearch.ItemFailures.Action.DEAD_LETTER;
import static io.vlmtagger.operators.search.opensearch.ItemFailures.Action.RETRY;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ItemFailuresTest {
    @Test
    void retriesOverloadUnavailabilityAndConflicts() {
        assertThat(ItemFailures.classify(429, "es_rejected_execution_exception")).isEqualTo(RETRY);
        assertThat(ItemFailures.classify(503, "unavailable_shards_exception")).isEqualTo(RETRY);
        assertThat(ItemFailures.classify(500, null)).isEqualTo(RETRY);
        assertThat(ItemFailures.classify(409, "version_conflict_engine_exception")).isEqualTo(RETRY);
    }

    @Test
    void retriesErrorsAboutTheClusterRatherThanTheDocument() {
        // what a restarted node answers while it recovers its cluster state
        assertThat(ItemFailures.classify(400, "invalid_index_name_exception")).isEqualTo(RETRY);
        assertThat(ItemFailures.classify(404, "index_not_found_exception")).isEqualTo(RETRY);
        assertThat(ItemFailures.classify(403, "cluster_block_exception")).isEqualTo(RETRY);
    }

    @Test
    void deadLettersWhatWouldFailForever() {
        assertThat(ItemFailures.classify(400, "mapper_parsing_exception")).isEqualTo(DEAD_LETTER);
        assertThat(ItemFailures.classify(400, "strict_dynamic_mapping_exception")).isEqualTo(DEAD_LETTER);
        assertThat(ItemFailures.classify(400, "illegal_argument_exception")).isEqualTo(DEAD_LETTER);
        assertThat(ItemFailures.classify(400, "some_future_document_exception")).isEqualTo(DEAD_LETTER);
    }

    @Test
    void namesMappingConflictsAsSuch() {
        assertThat(ItemFailures.reason("mapper_parsing_exception")).isEqualTo("mapping_conflict");
        assertThat(ItemFailures.reason("strict_dynamic_mapping_exception")).isEqualTo("mapping_conflict");
        assertThat(ItemFailures.reason("index_not_found_exception")).isEqualTo("index_rejected");
        assertThat(ItemFailures.reason(null)).isEqualTo("index_rejected");
    }
}
