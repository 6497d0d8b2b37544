package io.vlmtagger.operators.search.lucene;

import static io.vlmtagger.operators.search.SearchTestData.image;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LuceneSearcherTest {
    @TempDir Path dir;

    @Test
    void ranksTheImageMatchingBothWordsFirst() throws Exception {
        LuceneIndexFixture.write(dir,
                image("a", "a blue square", "blue", "square"),
                image("b", "a red circle on white", "red", "circle"),
                image("c", "a red square", "red", "square"),
                image("d", "a green circle", "green", "circle"));

        try (LuceneSearcher searcher = new LuceneSearcher(dir)) {
            List<SearchHit> hits = searcher.search("red circle", 10);

            assertThat(hits).extracting(SearchHit::eventId).containsOnly("b", "c", "d");
            assertThat(hits.get(0).eventId()).isEqualTo("b");
            assertThat(hits.get(0).caption()).isEqualTo("a red circle on white");
            assertThat(hits.get(0).tags()).containsExactly("red", "circle");
            assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
            assertThat(searcher.search("red circle", 1)).hasSize(1);
        }
    }

    @Test
    void fieldQueriesUseExactKeywords() throws Exception {
        LuceneIndexFixture.write(dir, image("a", "a shape", "red circle"), image("b", "a shape", "red"));
        try (LuceneSearcher searcher = new LuceneSearcher(dir)) {
            assertThat(searcher.search("tags:red", 10)).extracting(SearchHit::eventId).containsExactly("b");
            assertThat(searcher.search("tags:\"red circle\"", 10)).extracting(SearchHit::eventId).containsExactly("a");
            assertThat(searcher.count("model:blip2-small")).isEqualTo(2);
        }
    }

    @Test
    void upsertsByEventIdAndSeesOnlyCommittedDocuments() throws Exception {
        try (LuceneSinkWriter writer = LuceneIndexFixture.openWriter(dir);
                LuceneSearcher searcher = new LuceneSearcher(dir)) {
            assertThat(searcher.search("circle", 5)).isEmpty(); // no commit yet

            writer.write(image("a", "a red circle"), null);
            writer.flush(false);
            writer.write(image("a", "a yellow star"), null);
            writer.write(image("b", "a red circle"), null);
            assertThat(searcher.count()).isEqualTo(1); // the second batch is not committed yet

            writer.flush(false);
            assertThat(searcher.count()).isEqualTo(2);
            assertThat(searcher.search("star", 5)).extracting(SearchHit::eventId).containsExactly("a");
            assertThat(searcher.search("circle", 5)).extracting(SearchHit::eventId).containsExactly("b");
        }
    }

    @Test
    void closingWithoutFlushDiscardsUncommittedWrites() throws Exception {
        LuceneIndexFixture.write(dir, image("a", "kept"));
        try (LuceneSinkWriter writer = LuceneIndexFixture.openWriter(dir)) {
            writer.write(image("b", "lost in a failover"), null);
        }
        try (LuceneSearcher searcher = new LuceneSearcher(dir)) {
            assertThat(searcher.count()).isEqualTo(1);
            assertThat(searcher.search("kept", 5)).extracting(SearchHit::eventId).containsExactly("a");
        }
    }

    @Test
    void aSecondWriterOnTheSameDirectoryIsRefusedWithAClearMessage() throws Exception {
        try (LuceneSinkWriter first = LuceneIndexFixture.openWriter(dir)) {
            assertThatThrownBy(() -> LuceneIndexFixture.openWriter(dir))
                    .hasMessageContaining("is locked by another writer");
        }
    }

    @Test
    void rejectsEmptyAndMalformedQueries() throws Exception {
        LuceneIndexFixture.write(dir, image("a", "x"));
        try (LuceneSearcher searcher = new LuceneSearcher(dir)) {
            assertThatThrownBy(() -> searcher.search(" ", 5)).hasMessageContaining("query is empty");
            assertThatThrownBy(() -> searcher.search("caption:(red", 5)).hasMessageContaining("Cannot parse the query");
            assertThatThrownBy(() -> searcher.search("red", 0)).hasMessageContaining("limit");
        }
    }
}
