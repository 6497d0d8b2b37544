package io.vlmtagger.operators.search.lucene;

import io.vlmtagger.operators.search.SearchDocument;
import io.vlmtagger.operators.search.SearchFields;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.Term;

/**
 * The Lucene side of the shared document mapping: the same fields and types as the OpenSearch
 * mapping ({@link SearchFields}). Text fields use the standard analyzer, keyword fields are indexed
 * as single exact terms; the event time is a point (range queries), a doc value (sorting) and a
 * stored value. Which fields are stored: {@link ReusableLuceneDocument}.
 */
public final class LuceneDocuments {

    private LuceneDocuments() {}

    /** The term that identifies a document: upserts replace by it. */
    public static Term idTerm(String eventId) {
        return new Term(SearchFields.EVENT_ID, eventId);
    }

    /** Analyzer for indexing and for parsing queries: standard on text, exact on keywords. */
    public static Analyzer analyzer() {
        Map<String, Analyzer> perField = new HashMap<>();
        KeywordAnalyzer keyword = new KeywordAnalyzer();
        for (String f : new String[] {
                SearchFields.EVENT_ID, SearchFields.SOURCE, SearchFields.IMAGE_REF, SearchFields.IMAGE_SHA256,
                SearchFields.CAPTION_KEYWORD, SearchFields.TAGS, SearchFields.MODEL, SearchFields.REVISION}) {
            perField.put(f, keyword);
        }
        return new PerFieldAnalyzerWrapper(new StandardAnalyzer(), perField);
    }

    /**
     * A new Lucene document for {@code d} (see {@link ReusableLuceneDocument} for the fields: the
     * sink's writer reuses one instance instead of calling this per document).
     */
    public static Document toLucene(SearchDocument d) {
        return new ReusableLuceneDocument().fill(d);
    }
}
