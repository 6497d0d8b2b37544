package io.vlmtagger.operators.search.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import io.vlmtagger.operators.search.SearchFields;
import io.vlmtagger.operators.search.SearchTestData;
import io.vlmtagger.schemas.EnrichedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer reuses one set of Lucene fields: every field stays searchable, and no value leaks into the next document. */
class ReusableLuceneDocumentTest {
    @TempDir Path dir;

    private static EnrichedImage full() {
        return EnrichedImage.newBuilder(
                        SearchTestData.image("a", "a red circle on white", Map.of("camera", "c1"), "red", "circle", "big"))
                .setSource("cam-7")
                .setImageSha256("ab".repeat(32))
                .setQuestion("which shape")
                .setAnswer("a round one")
                .build();
    }

    private static EnrichedImage sparse() {
        EnrichedImage b = SearchTestData.image("b", " ", "blue");
        b.setEventTime(b.getEventTime().plusMillis(5));
        return b;
    }

    @Test
    void everyFieldOfTheMappingIsSearchable() throws Exception {
        LuceneIndexFixture.write(dir, full(), sparse());

        try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(dir))) {
            IndexSearcher s = new IndexSearcher(reader);
            assertThat(count(s, SearchFields.EVENT_ID, "a")).isEqualTo(1);
            assertThat(count(s, SearchFields.SOURCE, "cam-7")).isEqualTo(1);
            assertThat(count(s, SearchFields.IMAGE_REF, "s3://bucket/a.png")).isEqualTo(1);
            assertThat(count(s, SearchFields.IMAGE_SHA256, "ab".repeat(32))).isEqualTo(1);
            assertThat(count(s, SearchFields.CAPTION, "circle")).isEqualTo(1);
            assertThat(count(s, SearchFields.CAPTION_KEYWORD, "a red circle on white")).isEqualTo(1);
            assertThat(count(s, SearchFields.QUESTION, "shape")).isEqualTo(1);
            assertThat(count(s, SearchFields.ANSWER, "round")).isEqualTo(1);
            assertThat(count(s, SearchFields.MODEL, "blip2-small")).isEqualTo(2);
            assertThat(count(s, SearchFields.REVISION, "rev1")).isEqualTo(2);
            assertThat(count(s, SearchFields.ATTRIBUTES + ".camera", "c1")).isEqualTo(1);
            long t = 1_700_000_000_000L;
            assertThat(s.count(LongPoint.newExactQuery(SearchFields.EVENT_TIME, t + 5))).isEqualTo(1);
            assertThat(s.count(LongPoint.newRangeQuery(SearchFields.EVENT_TIME, t, t + 5))).isEqualTo(2);
            TopDocs newestFirst = s.search(new MatchAllDocsQuery(), 2,
                    new Sort(new SortField(SearchFields.EVENT_TIME, SortField.Type.LONG, true)));
            assertThat(s.storedFields().document(newestFirst.scoreDocs[0].doc).get(SearchFields.EVENT_ID)).isEqualTo("b");
        }
    }

    @Test
    void aDocumentKeepsNothingOfTheOneWrittenBeforeIt() throws Exception {
        LuceneIndexFixture.write(dir, full(), sparse());

        try (LuceneSearcher searcher = new LuceneSearcher(dir)) {
            assertThat(searcher.search("tags:big OR tags:circle", 5)).extracting(SearchHit::eventId).containsExactly("a");
            assertThat(searcher.count("question:shape OR answer:round OR attributes.camera:c1")).isEqualTo(1);
            List<SearchHit> b = searcher.search("tags:blue", 5);
            assertThat(b).hasSize(1);
            assertThat(b.get(0).eventId()).isEqualTo("b");
            assertThat(b.get(0).tags()).containsExactly("blue");
            assertThat(b.get(0).caption()).isNull();
            assertThat(b.get(0).answer()).isNull();
            assertThat(b.get(0).imageRef()).isEqualTo("s3://bucket/b.png");
            assertThat(b.get(0).eventTimeMillis()).isEqualTo(1_700_000_000_005L);
        }
    }

    @Test
    void aHitShowsTheStoredFields() throws Exception {
        LuceneIndexFixture.write(dir, full());

        try (LuceneSearcher searcher = new LuceneSearcher(dir)) {
            SearchHit a = searcher.search("circle", 1).get(0);
            assertThat(a.eventId()).isEqualTo("a");
            assertThat(a.caption()).isEqualTo("a red circle on white");
            assertThat(a.tags()).containsExactly("red", "circle", "big");
            assertThat(a.answer()).isEqualTo("a round one");
            assertThat(a.imageRef()).isEqualTo("s3://bucket/a.png");
            assertThat(a.eventTimeMillis()).isEqualTo(1_700_000_000_000L);
        }
    }

    private static int count(IndexSearcher s, String field, String value) throws Exception {
        Query q = new TermQuery(new Term(field, value));
        return s.count(q);
    }
}
