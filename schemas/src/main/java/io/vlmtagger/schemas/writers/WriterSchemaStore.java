package io.vlmtagger.schemas.writers;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import io.vlmtagger.schemas.serde.Fingerprints;
import io.vlmtagger.schemas.serde.WriterSchemaResolver;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer schemas producers registered for one reader schema, from {@link SchemaSource}s (a
 * directory of {@code .avsc} files, a topic). Schemas of other records are ignored; a schema the
 * reader cannot resolve ({@link SchemaCompatibility}) is refused with the reason, which the codec
 * reports as {@code incompatible_schema}.
 *
 * <p>{@link #open} reads every source once; strictly, it fails on a source that cannot be read or
 * a file that is not a schema (the job's start-up check, so that a bad registration stops the
 * start), leniently it logs them and goes on (the running job's operators, which must not fail
 * and restart over a file added later). Later, a record with
 * an unknown fingerprint makes the store read its sources again: at once for a fingerprint not seen
 * before, then at most once per {@code retryInterval} for the same fingerprint (a producer that
 * never registers its schema does not make every record re-read the sources). So a new producer
 * that registers its schema before sending is read without a restart.
 *
 * <p>Thread-safe (all methods synchronized: refreshes are rare).
 */
public final class WriterSchemaStore implements WriterSchemaResolver, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WriterSchemaStore.class);
    /** Fingerprints whose misses are remembered for the retry interval; older ones are forgotten. */
    private static final int REMEMBERED_MISSES = 1024;

    private final Schema reader;
    private final List<SchemaSource> sources;
    private final Duration retryInterval;
    private final Clock clock;
    private final Map<Long, Registered> accepted = new LinkedHashMap<>();
    private final Map<Long, String> refused = new HashMap<>();
    private final Map<Long, Instant> lastMiss = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Instant> eldest) {
            return size() > REMEMBERED_MISSES;
        }
    };

    private WriterSchemaStore(Schema reader, List<SchemaSource> sources, Duration retryInterval, Clock clock) {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.sources = List.copyOf(sources);
        this.retryInterval = Objects.requireNonNull(retryInterval, "retryInterval");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Opens the store and reads every source once.
     *
     * @param strict fail on a source that cannot be read or a text that is not a schema (else: log it)
     * @throws IllegalArgumentException when strict, naming the source or file that cannot be read or
     *     parsed (the sources are closed then)
     */
    public static WriterSchemaStore open(Schema reader, List<SchemaSource> sources, Duration retryInterval, Clock clock,
                                         boolean strict) {
        WriterSchemaStore store = new WriterSchemaStore(reader, sources, retryInterval, clock);
        try {
            store.load(strict);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    @Override
    public synchronized Registered find(long fingerprint) {
        Registered known = accepted.get(fingerprint);
        if (known != null || refused.containsKey(fingerprint)) {
            return known;
        }
        Instant now = clock.instant();
        Instant last = lastMiss.get(fingerprint);
        if (last == null || !now.isBefore(last.plus(retryInterval))) {
            lastMiss.put(fingerprint, now);
            load(false);
        }
        return accepted.get(fingerprint);
    }

    @Override
    public synchronized String whyRefused(long fingerprint) {
        return refused.get(fingerprint);
    }

    /** The accepted writer schemas, in the order they were found. */
    public synchronized List<Registered> accepted() {
        return List.copyOf(accepted.values());
    }

    @Override
    public String describe() {
        return sources.isEmpty() ? "no writer-schema sources configured"
                : "writer schemas from " + sources.stream().map(SchemaSource::describe).collect(Collectors.joining(", "));
    }

    private void load(boolean strict) {
        for (SchemaSource source : sources) {
            List<SchemaSource.SchemaText> texts;
            try {
                texts = source.poll();
            } catch (IOException e) {
                if (strict) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
                LOG.warn("writer schemas: cannot read {}: {}", source.describe(), e.getMessage());
                continue;
            }
            for (SchemaSource.SchemaText text : texts) {
                register(text, strict);
            }
        }
    }

    private void register(SchemaSource.SchemaText text, boolean strict) {
        Schema writer;
        try {
            writer = new Schema.Parser().parse(text.json());
        } catch (RuntimeException e) {
            String message = text.origin() + " is not an Avro schema: " + e.getMessage();
            if (strict) {
                throw new IllegalArgumentException("writer schemas: " + message, e);
            }
            LOG.warn("writer schemas: {}", message);
            return;
        }
        if (!names(reader).contains(writer.getFullName())) {
            return;
        }
        long fingerprint = Fingerprints.of(writer);
        if (accepted.containsKey(fingerprint) || refused.containsKey(fingerprint)) {
            return;
        }
        SchemaCompatibility.SchemaPairCompatibility c = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (c.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            accepted.put(fingerprint, new Registered(writer, fingerprint, text.origin()));
            LOG.info("writer schemas: registered {} {} from {}", writer.getName(), Fingerprints.hex(fingerprint), text.origin());
        } else {
            String why = text.origin() + ": " + describe(c.getResult());
            refused.put(fingerprint, why);
            LOG.warn("writer schemas: refused {} {} (incompatible with this job's {}): {}", writer.getName(),
                    Fingerprints.hex(fingerprint), reader.getName(), why);
        }
    }

    /** Avro's incompatibilities, one short line each (its own description repeats both schemas in full). */
    static String describe(SchemaCompatibility.SchemaCompatibilityResult result) {
        return result.getIncompatibilities().stream()
                .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
                .collect(Collectors.joining("; "));
    }

    private static List<String> names(Schema s) {
        List<String> names = new ArrayList<>();
        names.add(s.getFullName());
        names.addAll(s.getAliases());
        return names;
    }

    @Override
    public synchronized void close() {
        for (SchemaSource s : sources) {
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.warn("writer schemas: closing {} failed: {}", s.describe(), e.toString());
            }
        }
    }
}
