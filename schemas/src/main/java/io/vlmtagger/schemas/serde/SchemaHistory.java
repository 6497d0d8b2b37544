package io.vlmtagger.schemas.serde;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every released version of each schema, shipped in this jar as resources
 * {@value #RESOURCE_ROOT}{@code <RecordName>/v<N>.avsc} (N = 1, 2, ...; source:
 * {@code schemas/src/main/resources/io/vlmtagger/schemas/history/}). {@link AvroCodec} registers
 * all of them as writer schemas, so a job reads records of every earlier producer without being
 * told; {@code SchemaHistoryTest} checks that each resolves against the current reader and that the
 * newest equals the current {@code .avsc}.
 */
public final class SchemaHistory {
    /** Classpath folder of the history. */
    public static final String RESOURCE_ROOT = "io/vlmtagger/schemas/history/";

    /** One released version of a schema. */
    public record Version(String recordName, int number, Schema schema, long fingerprint) {
        /** {@code v<N>}, as the file is named. */
        public String label() {
            return "v" + number;
        }
    }

    private SchemaHistory() {}

    /** The released versions of the generated class's schema, oldest first (empty when none is shipped). */
    public static List<Version> of(Class<? extends SpecificRecord> type) {
        return of(SpecificData.get().getSchema(type).getName());
    }

    /** The released versions of the record named {@code recordName} (simple name), oldest first. */
    public static List<Version> of(String recordName) {
        List<Version> versions = new ArrayList<>();
        ClassLoader cl = SchemaHistory.class.getClassLoader();
        for (int n = 1; ; n++) {
            String resource = RESOURCE_ROOT + recordName + "/v" + n + ".avsc";
            try (InputStream in = cl.getResourceAsStream(resource)) {
                if (in == null) {
                    return versions;
                }
                Schema schema = new Schema.Parser().parse(in);
                versions.add(new Version(recordName, n, schema, Fingerprints.of(schema)));
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("the shipped schema " + resource + " cannot be read: " + e.getMessage(), e);
            }
        }
    }
}
