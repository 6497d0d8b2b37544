package io.vlmtagger.schemas.serde;

import org.apache.avro.Schema;

/**
 * Finds writer schemas an {@link AvroCodec} does not know yet, by fingerprint: schemas registered
 * by producers after the reader started (see {@code io.vlmtagger.schemas.writers.WriterSchemaStore}).
 * Called from the decoding thread when a record carries an unknown fingerprint.
 */
public interface WriterSchemaResolver {

    /** A writer schema the reader may use, with where it came from (for messages). */
    record Registered(Schema schema, long fingerprint, String origin) {}

    /** The compatible writer schema with this fingerprint, or null when none is registered. */
    Registered find(long fingerprint);

    /** Why a schema with this fingerprint was registered but refused (incompatible), or null. */
    String whyRefused(long fingerprint);

    /** Where this resolver looks, e.g. "directory /etc/schemas, topic image-schemas". */
    String describe();
}
