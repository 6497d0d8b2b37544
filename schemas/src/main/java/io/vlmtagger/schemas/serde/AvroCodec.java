package io.vlmtagger.schemas.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one generated Avro class with Avro's <em>single-object encoding</em>: two
 * magic bytes {@code C3 01}, the 8-byte CRC-64-AVRO fingerprint of the writer schema
 * (little-endian), then the Avro binary body. The fingerprint lets a reader pick the writer schema
 * it was written with, so old and new producers can share a topic while the schema evolves (see
 * {@code schemas/README.md}).
 *
 * <p>The reader knows the schema compiled into this build and every released version shipped in
 * {@link SchemaHistory}. Other writer schemas are registered with {@link #of(Class, List)} or found
 * at run time through a {@link WriterSchemaResolver}. A record written with an unknown schema fails
 * with {@link AvroDecodeException.Reason#UNKNOWN_SCHEMA}; the message shows its fingerprint and
 * the known ones as the 8 header bytes in hex ({@link Fingerprints#hex}).
 *
 * <p>Thread-safe: schemas found at run time are added to concurrent maps, and Avro's message
 * encoder/decoder keep their reusable buffers per thread.
 */
public final class AvroCodec<T extends SpecificRecord> {
    /** Marker (2 bytes) + schema fingerprint (8 bytes). */
    public static final int HEADER_BYTES = 10;
    /** Known writer schemas listed in an unknown-schema message at most. */
    private static final int LISTED_SCHEMAS = 8;

    private final Class<T> type;
    private final Schema readerSchema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final WriterSchemaResolver resolver;
    /** Writer schemas by CRC-64-AVRO parsing fingerprint, with where each came from; insertion-ordered. */
    private final Map<Long, WriterSchemaResolver.Registered> writers = new LinkedHashMap<>();

    private AvroCodec(Class<T> type, List<Schema> extraWriterSchemas, WriterSchemaResolver resolver) {
        this.type = Objects.requireNonNull(type, "type");
        SpecificData model = SpecificData.getForClass(type);
        this.readerSchema = model.getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(model, readerSchema);
        this.decoder = new BinaryMessageDecoder<>(model, readerSchema);
        this.resolver = resolver;
        long own = Fingerprints.of(readerSchema);
        writers.put(own, new WriterSchemaResolver.Registered(readerSchema, own, "this build"));
        for (SchemaHistory.Version v : SchemaHistory.of(readerSchema.getName())) {
            if (!readerSchema.getFullName().equals(v.schema().getFullName())) {
                continue;
            }
            String origin = v.label() + (v.fingerprint() == own ? ", this build" : ", shipped");
            add(new WriterSchemaResolver.Registered(v.schema(), v.fingerprint(), origin));
        }
        for (Schema writer : extraWriterSchemas) {
            long fp = Fingerprints.of(writer);
            if (!writers.containsKey(fp)) {
                add(new WriterSchemaResolver.Registered(writer, fp, "registered"));
            }
        }
    }

    /** A codec for a generated class, reading data written with this build's or a released schema. */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(type, List.of(), null);
    }

    /** A codec that also reads data written with the given (older or newer) writer schemas. */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, List<Schema> writerSchemas) {
        return new AvroCodec<>(type, List.copyOf(writerSchemas), null);
    }

    /**
     * A codec that also reads the given writer schemas and asks {@code resolver} for a fingerprint it
     * does not know (the resolver checks compatibility with {@link #schema()}).
     */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, List<Schema> writerSchemas,
                                                            WriterSchemaResolver resolver) {
        return new AvroCodec<>(type, List.copyOf(writerSchemas), Objects.requireNonNull(resolver, "resolver"));
    }

    /** A copy of this codec that also reads the given writer schemas. */
    public AvroCodec<T> withWriterSchemas(List<Schema> writerSchemas) {
        List<Schema> all = new ArrayList<>();
        synchronized (writers) {
            writers.values().forEach(r -> all.add(r.schema()));
        }
        all.addAll(writerSchemas);
        return new AvroCodec<>(type, all, resolver);
    }

    public Class<T> type() {
        return type;
    }

    public Schema schema() {
        return readerSchema;
    }

    /** Single-object encoding of {@code value}. */
    public byte[] encode(T value) {
        try {
            ByteBuffer buffer = encoder.encode(value);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new IllegalStateException("Could not encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes a single-object encoded value. Never throws anything but {@link AvroDecodeException}
     * for bad input (runtime errors of Avro on corrupt data are wrapped too).
     */
    public T decode(byte[] bytes) throws AvroDecodeException {
        if (bytes == null) {
            throw new AvroDecodeException(AvroDecodeException.Reason.AVRO_DECODE_ERROR,
                    "No bytes to decode (null value)", null);
        }
        precheck(bytes);
        try {
            return decoder.decode(bytes);
        } catch (BadHeaderException | MissingSchemaException e) {
            throw new AvroDecodeException(AvroDecodeException.Reason.UNKNOWN_SCHEMA,
                    "Not a readable single-object encoded Avro " + type.getSimpleName() + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            // Corrupt bodies surface as EOFException, AvroRuntimeException, UnsupportedOperationException
            // (Avro's length limits), IndexOutOfBounds... all of them are bad input, not a bug here.
            throw new AvroDecodeException(AvroDecodeException.Reason.AVRO_DECODE_ERROR,
                    "Corrupt " + type.getSimpleName() + " record (" + e.getClass().getSimpleName() + "): "
                            + e.getMessage(), e);
        }
    }

    /** The writer schemas this codec reads, by fingerprint, with where each came from. */
    public List<WriterSchemaResolver.Registered> knownWriterSchemas() {
        synchronized (writers) {
            return List.copyOf(writers.values());
        }
    }

    private void add(WriterSchemaResolver.Registered r) {
        synchronized (writers) {
            writers.put(r.fingerprint(), r);
        }
        decoder.addSchema(r.schema());
    }

    private WriterSchemaResolver.Registered writer(long fingerprint) {
        WriterSchemaResolver.Registered known;
        synchronized (writers) {
            known = writers.get(fingerprint);
        }
        if (known == null && resolver != null) {
            known = resolver.find(fingerprint);
            if (known != null) {
                add(known);
            }
        }
        return known;
    }

    /**
     * Checks the header and walks the body against the writer schema without materialising
     * anything (see {@link BodyCheck}).
     */
    private void precheck(byte[] bytes) throws AvroDecodeException {
        if (bytes.length < HEADER_BYTES || bytes[0] != Fingerprints.MARKER[0] || bytes[1] != Fingerprints.MARKER[1]) {
            throw new AvroDecodeException(AvroDecodeException.Reason.UNKNOWN_SCHEMA,
                    "Not a single-object encoded Avro " + type.getSimpleName() + ": a value must start with C3 01"
                            + " and the 8-byte schema fingerprint; this one (" + bytes.length + " bytes) starts with "
                            + Fingerprints.leadingHex(bytes, HEADER_BYTES), null);
        }
        long fingerprint = Fingerprints.read(bytes);
        WriterSchemaResolver.Registered writer = writer(fingerprint);
        if (writer == null) {
            String refused = resolver == null ? null : resolver.whyRefused(fingerprint);
            if (refused != null) {
                throw new AvroDecodeException(AvroDecodeException.Reason.INCOMPATIBLE_SCHEMA,
                        "The writer schema of this " + type.getSimpleName() + " (fingerprint " + Fingerprints.hex(fingerprint)
                                + ") was registered but cannot be read as this reader's " + type.getSimpleName() + ": "
                                + refused + "; see the evolution rules in schemas/README.md", null);
            }
            throw new AvroDecodeException(AvroDecodeException.Reason.UNKNOWN_SCHEMA, unknownSchemaMessage(fingerprint), null);
        }
        try {
            BodyCheck.check(writer.schema(), bytes, HEADER_BYTES);
        } catch (BodyCheck.Mismatch e) {
            String hint = e.enumIndex
                    ? "; a producer whose enum has more symbols must write its own schema's fingerprint, and that"
                            + " schema must be registered with the reader (then an unknown symbol reads as the enum's default)"
                    : "";
            throw new AvroDecodeException(AvroDecodeException.Reason.AVRO_DECODE_ERROR,
                    "Corrupt " + type.getSimpleName() + " record: the body does not match the writer schema of its"
                            + " fingerprint " + Fingerprints.hex(fingerprint) + " (" + writer.origin() + ") at "
                            + e.getMessage() + hint, e);
        } catch (IOException | RuntimeException e) {
            throw new AvroDecodeException(AvroDecodeException.Reason.AVRO_DECODE_ERROR,
                    "Corrupt " + type.getSimpleName() + " record (" + e.getClass().getSimpleName() + "): "
                            + e.getMessage(), e);
        }
    }

    private String unknownSchemaMessage(long fingerprint) {
        StringBuilder sb = new StringBuilder("Unknown writer schema for ").append(type.getSimpleName())
                .append(": the record's fingerprint (header bytes 3-10, hex) is ").append(Fingerprints.hex(fingerprint));
        List<WriterSchemaResolver.Registered> known = knownWriterSchemas();
        sb.append("; this reader knows ").append(known.size()).append(':');
        for (int i = 0; i < Math.min(LISTED_SCHEMAS, known.size()); i++) {
            WriterSchemaResolver.Registered r = known.get(i);
            sb.append(' ').append(Fingerprints.hex(r.fingerprint())).append(" (").append(r.origin()).append(')');
        }
        if (known.size() > LISTED_SCHEMAS) {
            sb.append(" ...");
        }
        sb.append(". Write the CRC-64-AVRO fingerprint of the exact schema you wrote with, little-endian, and register"
                + " that schema with the reader");
        if (resolver != null) {
            sb.append(" (").append(resolver.describe()).append(')');
        }
        return sb.append("; see schemas/README.md").toString();
    }
}
