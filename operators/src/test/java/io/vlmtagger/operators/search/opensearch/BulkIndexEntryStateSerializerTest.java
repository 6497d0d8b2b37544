package io.vlmtagger.operators.search.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.vlmtagger.operators.search.IndexDocumentEmitter;
import io.vlmtagger.operators.search.SearchTestData;
import java.util.List;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.junit.jupiter.api.Test;

class BulkIndexEntryStateSerializerTest {
    @Test
    void roundTripsBufferedEntriesIncludingLargeAndNonAsciiSources() throws Exception {
        String big = "x".repeat(100_000); // beyond DataOutput.writeUTF's 64 KB
        BulkIndexEntry converted = new BulkIndexEntryConverter(new IndexDocumentEmitter())
                .apply(SearchTestData.image("e-1", "ein rotes Quadrat – ünïcødé", "rot"), null);
        List<BulkIndexEntry> entries = List.of(converted, new BulkIndexEntry("e-2", "{\"caption\":\"" + big + "\"}", 3));
        BulkIndexEntryStateSerializer serializer = new BulkIndexEntryStateSerializer();
        BufferedRequestState<BulkIndexEntry> state = new BufferedRequestState<>(entries.stream()
                .map(e -> new RequestEntryWrapper<>(e, e.sizeInBytes())).toList());

        BufferedRequestState<BulkIndexEntry> restored =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(state));

        assertThat(restored.getBufferedRequestEntries()).extracting(RequestEntryWrapper::getRequestEntry)
                .containsExactlyElementsOf(entries);
        assertThat(restored.getBufferedRequestEntries().get(0).getRequestEntry().sourceJson())
                .contains("ünïcødé").contains("\"eventId\":\"e-1\"");
    }
}
