package io.vlmtagger.operators.search;

/**
 * Field names of the search document, shared by the Lucene and the OpenSearch backends, so that a
 * query written for one works on the other.
 *
 * <p>Types (OpenSearch mapping; the Lucene writer indexes the same way):
 * <ul>
 *   <li>{@link #CAPTION}, {@link #QUESTION}, {@link #ANSWER}: text, {@code standard} analyzer;
 *       the caption also has an exact {@link #CAPTION_KEYWORD} subfield;</li>
 *   <li>{@link #TAGS}, {@link #MODEL}, {@link #REVISION}, {@link #SOURCE}, {@link #IMAGE_REF},
 *       {@link #IMAGE_SHA256}, {@link #EVENT_ID}: keyword (exact);</li>
 *   <li>{@link #EVENT_TIME}: date (epoch milliseconds);</li>
 *   <li>{@link #ATTRIBUTES}: object of keyword values.</li>
 * </ul>
 */
public final class SearchFields {
    public static final String EVENT_ID = "eventId";
    public static final String EVENT_TIME = "eventTime";
    public static final String SOURCE = "source";
    public static final String IMAGE_REF = "imageRef";
    public static final String IMAGE_SHA256 = "imageSha256";
    public static final String CAPTION = "caption";
    public static final String CAPTION_KEYWORD = "caption.keyword";
    public static final String TAGS = "tags";
    public static final String QUESTION = "question";
    public static final String ANSWER = "answer";
    public static final String MODEL = "model";
    public static final String REVISION = "revision";
    public static final String ATTRIBUTES = "attributes";

    /** The free-text fields a plain query searches, in both backends. */
    public static final String[] QUERY_FIELDS = {CAPTION, TAGS, ANSWER};

    private SearchFields() {}
}
