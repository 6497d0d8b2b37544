package io.vlmtagger.operators.search.opensearch;

import io.vlmtagger.operators.search.DeadLetterPublisher;
import io.vlmtagger.operators.search.IndexDocumentEmitter;
import io.vlmtagger.operators.search.LoggingDeadLetterPublisher;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Builds an {@link OpensearchSink}. Required: {@code setHosts}, {@code setIndexAlias}. Everything
 * else has a default suited to a small cluster; {@link #build()} says what to fix.
 */
public final class OpensearchSinkBuilder {
    private static final Pattern ALIAS = Pattern.compile("[a-z0-9][a-z0-9_.\\-]{0,200}");

    private List<String> hosts;
    private String alias;
    private String username;
    private String password;
    private String trustStorePath;
    private String trustStorePassword;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration responseTimeout = Duration.ofSeconds(30);
    private int bulkMaxActions = 500;
    private long bulkMaxBytes = 5L * 1024 * 1024;
    private Duration bulkInterval = Duration.ofSeconds(1);
    private int maxInFlightRequests = 2;
    private int maxBufferedRequests = 5_000;
    private Duration requestTimeout = Duration.ofMinutes(5);
    private Duration retryInitial = Duration.ofMillis(200);
    private Duration retryMax = Duration.ofSeconds(10);
    private int maxItemRetries = -1;
    private int shards = 1;
    private int replicas = 1;
    private IndexDocumentEmitter emitter = new IndexDocumentEmitter();
    private DeadLetterPublisher.Factory deadLetters = LoggingDeadLetterPublisher.factory();

    OpensearchSinkBuilder() {}

    /** Cluster URLs with scheme and port, e.g. {@code https://search-1:9200}. */
    public OpensearchSinkBuilder setHosts(String... hosts) {
        this.hosts = hosts == null ? null : List.of(hosts);
        return this;
    }

    /** The alias the sink writes through (created with a first index {@code <alias>-v1} if absent). */
    public OpensearchSinkBuilder setIndexAlias(String alias) {
        this.alias = alias;
        return this;
    }

    public OpensearchSinkBuilder optBasicAuth(String username, String password) {
        this.username = username;
        this.password = password;
        return this;
    }

    /** A JKS or PKCS12 (.p12) trust store on every task manager, for clusters with private CAs. */
    public OpensearchSinkBuilder optTrustStore(String path, String password) {
        this.trustStorePath = path;
        this.trustStorePassword = password;
        return this;
    }

    public OpensearchSinkBuilder optConnectTimeout(Duration timeout) {
        this.connectTimeout = timeout;
        return this;
    }

    public OpensearchSinkBuilder optResponseTimeout(Duration timeout) {
        this.responseTimeout = timeout;
        return this;
    }

    /** Most documents per bulk request (default 500). */
    public OpensearchSinkBuilder optBulkMaxActions(int actions) {
        this.bulkMaxActions = actions;
        return this;
    }

    /** Most bytes per bulk request (default 5 MiB); also the largest single document. */
    public OpensearchSinkBuilder optBulkMaxBytes(long bytes) {
        this.bulkMaxBytes = bytes;
        return this;
    }

    /** Longest a document waits in the buffer before a bulk request goes out (default 1 s). */
    public OpensearchSinkBuilder optBulkInterval(Duration interval) {
        this.bulkInterval = interval;
        return this;
    }

    /** Bulk requests in flight per subtask (default 2); beyond, the job is backpressured. */
    public OpensearchSinkBuilder optMaxInFlightRequests(int requests) {
        this.maxInFlightRequests = requests;
        return this;
    }

    /** Documents buffered per subtask before backpressure (default 5000; more than bulkMaxActions). */
    public OpensearchSinkBuilder optMaxBufferedRequests(int documents) {
        this.maxBufferedRequests = documents;
        return this;
    }

    /** A bulk request not answered within this is sent again (default 5 min). */
    public OpensearchSinkBuilder optRequestTimeout(Duration timeout) {
        this.requestTimeout = timeout;
        return this;
    }

    /** Backoff between retries: doubles from {@code initial} up to {@code max} (200 ms .. 10 s). */
    public OpensearchSinkBuilder optRetryBackoff(Duration initial, Duration max) {
        this.retryInitial = initial;
        this.retryMax = max;
        return this;
    }

    /**
     * After how many retries an item the cluster keeps refusing (429/5xx) is dead-lettered; by
     * default never (-1): it is retried until the cluster takes it.
     */
    public OpensearchSinkBuilder optMaxItemRetries(int retries) {
        this.maxItemRetries = retries;
        return this;
    }

    /** Shards and replicas of indices created from the template (default 1 and 1). */
    public OpensearchSinkBuilder optIndexShardsAndReplicas(int shards, int replicas) {
        this.shards = shards;
        this.replicas = replicas;
        return this;
    }

    /** Where rejected documents go (default: a WARN log line each). */
    public OpensearchSinkBuilder optDeadLetterPublisher(DeadLetterPublisher.Factory factory) {
        this.deadLetters = factory;
        return this;
    }

    public OpensearchSinkBuilder optEmitter(IndexDocumentEmitter emitter) {
        this.emitter = emitter;
        return this;
    }

    public OpensearchSink build() {
        OpensearchConnection.parseHosts(hosts); // throws with a message saying what a host looks like
        if (alias == null || !ALIAS.matcher(alias).matches()) {
            throw new IllegalArgumentException("setIndexAlias needs a lowercase name of letters, digits, '_', '-', '.'"
                    + " not starting with '_', '-' or '.', e.g. images; got " + alias);
        }
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("optBasicAuth needs both a username and a password");
        }
        require(bulkMaxActions >= 1, "optBulkMaxActions must be at least 1, got " + bulkMaxActions);
        require(bulkMaxBytes >= 1024, "optBulkMaxBytes must be at least 1024, got " + bulkMaxBytes);
        require(bulkInterval != null && !bulkInterval.isNegative() && !bulkInterval.isZero(),
                "optBulkInterval must be positive, got " + bulkInterval);
        require(maxInFlightRequests >= 1, "optMaxInFlightRequests must be at least 1, got " + maxInFlightRequests);
        require(maxBufferedRequests > bulkMaxActions, "optMaxBufferedRequests (" + maxBufferedRequests
                + ") must be larger than optBulkMaxActions (" + bulkMaxActions + ")");
        require(requestTimeout != null && requestTimeout.compareTo(Duration.ofSeconds(1)) >= 0,
                "optRequestTimeout must be at least 1 s, got " + requestTimeout);
        require(connectTimeout != null && responseTimeout != null, "timeouts must not be null");
        require(maxItemRetries >= -1, "optMaxItemRetries must be -1 (never give up) or >= 0, got " + maxItemRetries);
        require(shards >= 1 && replicas >= 0, "need shards >= 1 and replicas >= 0, got " + shards + " and " + replicas);
        require(deadLetters != null, "optDeadLetterPublisher(null): leave it unset to log rejected documents");
        require(emitter != null, "optEmitter(null): leave it unset to use the default emitter");
        require(trustStorePath == null || !trustStorePath.isBlank(), "optTrustStore needs a path");
        OpensearchConnection connection = new OpensearchConnection(
                hosts, username, password, trustStorePath, trustStorePassword, connectTimeout, responseTimeout);
        return new OpensearchSink(
                emitter,
                bulkMaxActions,
                maxInFlightRequests,
                maxBufferedRequests,
                bulkMaxBytes,
                bulkInterval.toMillis(),
                requestTimeout.toMillis(),
                connection,
                alias,
                shards,
                replicas,
                new RetryBackoff(retryInitial, retryMax),
                maxItemRetries,
                deadLetters);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
