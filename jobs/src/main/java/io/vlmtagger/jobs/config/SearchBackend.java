package io.vlmtagger.jobs.config;

import java.util.Locale;

/** Where enriched images are indexed for search. */
public enum SearchBackend {
    /** An embedded Lucene index in a local directory (the default; needs no service). */
    LUCENE,
    /** An OpenSearch cluster reached over HTTP. */
    OPENSEARCH,
    /** No search sink. */
    NONE;

    /** Lower case, as written in configuration files and shown in the options table. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
