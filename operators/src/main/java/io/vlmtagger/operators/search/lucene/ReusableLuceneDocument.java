package io.vlmtagger.operators.search.lucene;

import io.vlmtagger.operators.search.SearchDocument;
import io.vlmtagger.operators.search.SearchFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;

/**
 * The Lucene form of a {@link SearchDocument}, with one set of {@code Field} instances reused from
 * document to document (Lucene's advice for fast indexing: {@code IndexWriter} copies what it needs
 * while adding a document, so the fields may change afterwards). One instance per writer thread.
 *
 * <p>Indexed the same way as the OpenSearch mapping ({@link SearchFields}): text fields with the
 * standard analyzer, keyword fields as single exact terms, the event time as a point (range
 * queries) and a doc value (sorting). Stored, i.e. returned with a hit, are only the fields a
 * {@link SearchHit} shows: event id, event time, image ref, caption, tags and answer. The other
 * fields are searchable but not stored: nothing reads them back from the index, and storing them
 * cost the writer a share of its CPU in LZ4 compression.
 */
final class ReusableLuceneDocument {
    private final Document doc = new Document();
    private final Field eventId = new StringField(SearchFields.EVENT_ID, "", Field.Store.YES);
    private final LongPoint eventTimePoint = new LongPoint(SearchFields.EVENT_TIME, 0L);
    private final NumericDocValuesField eventTimeDocValue = new NumericDocValuesField(SearchFields.EVENT_TIME, 0L);
    private final StoredField eventTimeStored = new StoredField(SearchFields.EVENT_TIME, 0L);
    private final Field source = new StringField(SearchFields.SOURCE, "", Field.Store.NO);
    private final Field imageRef = new StringField(SearchFields.IMAGE_REF, "", Field.Store.YES);
    private final Field imageSha256 = new StringField(SearchFields.IMAGE_SHA256, "", Field.Store.NO);
    private final Field caption = new TextField(SearchFields.CAPTION, "", Field.Store.YES);
    private final Field captionKeyword = new StringField(SearchFields.CAPTION_KEYWORD, "", Field.Store.NO);
    private final Field question = new TextField(SearchFields.QUESTION, "", Field.Store.NO);
    private final Field answer = new TextField(SearchFields.ANSWER, "", Field.Store.YES);
    private final List<Field> tags = new ArrayList<>();
    private final List<Field> models = new ArrayList<>();
    private final List<Field> revisions = new ArrayList<>();

    /** Fills the reused document with {@code d}; valid until the next call. */
    Document fill(SearchDocument d) {
        doc.clear();
        add(eventId, d.id());
        eventTimePoint.setLongValue(d.eventTimeMillis());
        eventTimeDocValue.setLongValue(d.eventTimeMillis());
        eventTimeStored.setLongValue(d.eventTimeMillis());
        doc.add(eventTimePoint);
        doc.add(eventTimeDocValue);
        doc.add(eventTimeStored);
        add(source, d.source());
        add(imageRef, d.imageRef());
        add(imageSha256, d.imageSha256());
        if (d.caption() != null) {
            add(caption, d.caption());
            add(captionKeyword, d.caption());
        }
        addAll(tags, SearchFields.TAGS, Field.Store.YES, d.tags());
        if (d.question() != null) {
            add(question, d.question());
        }
        if (d.answer() != null) {
            add(answer, d.answer());
        }
        addAll(models, SearchFields.MODEL, Field.Store.NO, d.models());
        addAll(revisions, SearchFields.REVISION, Field.Store.NO, d.revisions());
        // attribute keys vary from document to document: fresh fields (the benchmark's have none)
        for (Map.Entry<String, String> a : d.attributes().entrySet()) {
            doc.add(new StringField(SearchFields.ATTRIBUTES + "." + a.getKey(), a.getValue(), Field.Store.NO));
        }
        return doc;
    }

    private void add(Field field, String value) {
        field.setStringValue(value);
        doc.add(field);
    }

    /** A multi-valued keyword field: the i-th value reuses the i-th field of {@code pool}. */
    private void addAll(List<Field> pool, String name, Field.Store store, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            if (i == pool.size()) {
                pool.add(new StringField(name, "", store));
            }
            add(pool.get(i), values.get(i));
        }
    }
}
