package io.vlmtagger.operators.search.lucene;

import io.vlmtagger.operators.search.SearchFields;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexNotFoundException;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Queries the index a {@link LuceneSink} writes, while the sink is running: each search first
 * picks up the latest commit (a checkpoint), so results lag the stream by at most one checkpoint.
 *
 * <p>Queries use Lucene's classic syntax over caption, tags and answer ({@code red circle},
 * {@code "red circle"}, {@code tags:circle AND model:blip2-small}); terms are ORed, and a caption
 * match weighs more than a tag match, which weighs more than an answer match. Thread-safe.
 */
public final class LuceneSearcher implements AutoCloseable {
    private static final Map<String, Float> BOOSTS =
            Map.of(SearchFields.CAPTION, 2.0f, SearchFields.TAGS, 1.5f, SearchFields.ANSWER, 1.0f);

    private final Directory directory;
    private final Path path;
    @Nullable private SearcherManager manager; // guarded by this

    public LuceneSearcher(Path indexDirectory) throws IOException {
        this.path = indexDirectory;
        this.directory = FSDirectory.open(indexDirectory);
    }

    /** Ranked hits for a query, best first; an index with no commit yet gives no hits. */
    public List<SearchHit> search(String query, int limit) throws IOException {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        Query parsed = parse(query);
        SearcherManager m = refreshedManager();
        if (m == null) {
            return List.of();
        }
        IndexSearcher searcher = m.acquire();
        try {
            TopDocs top = searcher.search(parsed, limit);
            List<SearchHit> hits = new ArrayList<>(top.scoreDocs.length);
            for (ScoreDoc sd : top.scoreDocs) {
                hits.add(toHit(searcher.storedFields().document(sd.doc), sd.score));
            }
            return hits;
        } finally {
            m.release(searcher);
        }
    }

    /**
     * Waits until the latest commit in {@code indexDirectory} holds at least {@code expected}
     * documents (polling; no index yet counts as empty) or {@code timeout} passes; returns the last
     * count either way, for the caller to judge.
     */
    public static int awaitCount(Path indexDirectory, int expected, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int count = 0;
        while (true) {
            if (Files.isDirectory(indexDirectory)) {
                try (LuceneSearcher s = new LuceneSearcher(indexDirectory)) {
                    count = s.count();
                } catch (IOException notCommittedYet) {
                    count = 0;
                }
            }
            if (count >= expected || System.nanoTime() >= deadline) {
                return count;
            }
            Thread.sleep(200);
        }
    }

    /** How many documents the latest commit holds. */
    public int count() throws IOException {
        return countMatching(new MatchAllDocsQuery());
    }

    /** How many documents match a query (all of them, not only the top ones). */
    public int count(String query) throws IOException {
        return countMatching(parse(query));
    }

    private int countMatching(Query query) throws IOException {
        SearcherManager m = refreshedManager();
        if (m == null) {
            return 0;
        }
        IndexSearcher searcher = m.acquire();
        try {
            return searcher.count(query);
        } finally {
            m.release(searcher);
        }
    }

    static Query parse(String query) {
        if (query == null || query.isBlank()) {
            throw new IllegalArgumentException("The query is empty: give words to search for, e.g. red circle");
        }
        MultiFieldQueryParser parser =
                new MultiFieldQueryParser(SearchFields.QUERY_FIELDS, LuceneDocuments.analyzer(), BOOSTS);
        parser.setSplitOnWhitespace(true);
        parser.setDefaultOperator(QueryParser.Operator.OR);
        try {
            return parser.parse(query);
        } catch (ParseException e) {
            throw new IllegalArgumentException(
                    "Cannot parse the query '" + query + "' (Lucene classic syntax): " + e.getMessage(), e);
        }
    }

    /** The searcher manager, refreshed to the latest commit; null while there is no commit yet. */
    @Nullable
    private synchronized SearcherManager refreshedManager() throws IOException {
        if (manager == null) {
            try {
                manager = new SearcherManager(directory, null);
            } catch (IndexNotFoundException e) {
                return null; // the sink has not committed yet
            }
        } else {
            manager.maybeRefreshBlocking();
        }
        return manager;
    }

    private static SearchHit toHit(Document doc, float score) {
        IndexableField time = doc.getField(SearchFields.EVENT_TIME);
        return new SearchHit(
                doc.get(SearchFields.EVENT_ID),
                score,
                doc.get(SearchFields.CAPTION),
                Arrays.asList(doc.getValues(SearchFields.TAGS)),
                doc.get(SearchFields.ANSWER),
                doc.get(SearchFields.IMAGE_REF),
                time == null ? 0L : time.numericValue().longValue());
    }

    @Override
    public synchronized void close() throws IOException {
        if (manager != null) {
            manager.close();
            manager = null;
        }
        directory.close();
    }

    @Override
    public String toString() {
        return "LuceneSearcher[" + path + "]";
    }
}
