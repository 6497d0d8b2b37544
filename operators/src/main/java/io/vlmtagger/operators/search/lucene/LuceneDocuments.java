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
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.Term;

/**
 * The Lucene side of the shared document mapping: the same fields and types as the OpenSearch
 * mapping ({@link SearchFields}). Text fields use the standard analyzer, keyword fields are indexed
 * as single exact terms; the event time is a point (range queries), a doc value (sorting) and a
 * stored value.
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

    public static Document toLucene(SearchDocument d) {
        Document doc = new Document();
        doc.add(new StringField(SearchFields.EVENT_ID, d.id(), Field.Store.YES));
        doc.add(new LongPoint(SearchFields.EVENT_TIME, d.eventTimeMillis()));
        doc.add(new NumericDocValuesField(SearchFields.EVENT_TIME, d.eventTimeMillis()));
        doc.add(new StoredField(SearchFields.EVENT_TIME, d.eventTimeMillis()));
        doc.add(new StringField(SearchFields.SOURCE, d.source(), Field.Store.YES));
        doc.add(new StringField(SearchFields.IMAGE_REF, d.imageRef(), Field.Store.YES));
        doc.add(new StringField(SearchFields.IMAGE_SHA256, d.imageSha256(), Field.Store.YES));
        if (d.caption() != null) {
            doc.add(new TextField(SearchFields.CAPTION, d.caption(), Field.Store.YES));
            doc.add(new StringField(SearchFields.CAPTION_KEYWORD, d.caption(), Field.Store.NO));
        }
        for (String tag : d.tags()) {
            doc.add(new StringField(SearchFields.TAGS, tag, Field.Store.YES));
        }
        if (d.question() != null) {
            doc.add(new TextField(SearchFields.QUESTION, d.question(), Field.Store.YES));
        }
        if (d.answer() != null) {
            doc.add(new TextField(SearchFields.ANSWER, d.answer(), Field.Store.YES));
        }
        for (String model : d.models()) {
            doc.add(new StringField(SearchFields.MODEL, model, Field.Store.YES));
        }
        for (String revision : d.revisions()) {
            doc.add(new StringField(SearchFields.REVISION, revision, Field.Store.YES));
        }
        for (Map.Entry<String, String> a : d.attributes().entrySet()) {
            doc.add(new StringField(SearchFields.ATTRIBUTES + "." + a.getKey(), a.getValue(), Field.Store.YES));
        }
        return doc;
    }
}
