package io.vlmtagger.operators.search.lucene;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;

/**
 * Command line search over the embedded index:
 *
 * <pre>
 * search "red circle" [--index DIR] [--limit N]
 * </pre>
 *
 * Prints ranked hits, one per line: rank, score, event id, caption, tags. The index directory
 * defaults to {@value LuceneSink#DEFAULT_INDEX_DIRECTORY}. Exit codes: 0 (hits or none), 2 (bad
 * arguments or query), 1 (the index cannot be read).
 */
public final class SearchCommand {
    static final String USAGE = "usage: search \"red circle\" [--index DIR] [--limit N]";

    private SearchCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String query = null;
        String index = LuceneSink.DEFAULT_INDEX_DIRECTORY;
        int limit = 10;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--index" -> index = value(args, ++i, "--index");
                    case "--limit" -> limit = Integer.parseInt(value(args, ++i, "--limit"));
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> {
                        if (query != null) {
                            throw new IllegalArgumentException(
                                    "one query only (quote it: search \"red circle\"), got a second: " + args[i]);
                        }
                        query = args[i];
                    }
                }
            }
            if (query == null) {
                throw new IllegalArgumentException("no query given");
            }
            if (limit < 1) {
                throw new IllegalArgumentException("--limit must be at least 1, got " + limit);
            }
        } catch (NumberFormatException e) {
            err.println("--limit needs a whole number: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        }

        Path dir = Paths.get(index);
        if (!Files.isDirectory(dir)) {
            err.println("No search index at " + dir.toAbsolutePath()
                    + ": run the job with the Lucene sink first, or pass --index DIR");
            return 1;
        }
        try (LuceneSearcher searcher = new LuceneSearcher(dir)) {
            List<SearchHit> hits = searcher.search(query, limit);
            if (hits.isEmpty()) {
                out.println("No hits for: " + query);
            }
            int rank = 1;
            for (SearchHit hit : hits) {
                out.println(format(rank++, hit));
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("Cannot read the search index at " + dir.toAbsolutePath() + ": " + e);
            return 1;
        }
    }

    static String format(int rank, SearchHit hit) {
        return String.format(
                Locale.ROOT,
                "%2d. %.4f  %s  \"%s\"  tags=%s",
                rank,
                hit.score(),
                hit.eventId(),
                hit.caption() == null ? "" : hit.caption(),
                hit.tags());
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }
}
