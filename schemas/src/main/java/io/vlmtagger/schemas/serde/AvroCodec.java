package io.vlmtagger.schemas.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one generated Avro class with Avro's <em>single-object encoding</em>: two
 * magic bytes {@code C3 01}, the 8-byte CRC-64-AVRO fingerprint of the writer schema, then the Avro
 * binary body. The fingerprint lets a reader pick the writer schema it was written with, so old and
 * new producers can share a topic while the schema evolves (see {@code schemas/README.md}).
 *
 * <p>The reader always knows the schema compiled into this build; older (or newer) writer schemas
 * must be registered with {@link #withWriterSchemas(List)}. A record written with an unregistered
 * schema fails with {@link AvroDecodeException.Reason#UNKNOWN_SCHEMA}.
 *
 * <p>Thread-safe: immutable after construction, and Avro's message encoder/decoder keep their
 * reusable buffers per thread.
 */
public final class AvroCodec<T extends SpecificRecord> {
    /** Marker (2 bytes) + schema fingerprint (8 bytes). */
    public static final int HEADER_BYTES = 10;

    private final Class<T> type;
    private final Schema readerSchema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    /** Writer schemas by CRC-64-AVRO parsing fingerprint, for the allocation-free pre-check. */
    private final Map<Long, Schema> writerSchemas = new HashMap<>();

    private AvroCodec(Class<T> type, List<Schema> extraWriterSchemas) {
        this.type = Objects.requireNonNull(type, "type");
        SpecificData model = SpecificData.getForClass(type);
        this.readerSchema = model.getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(model, readerSchema);
        this.decoder = new BinaryMessageDecoder<>(model, readerSchema);
        writerSchemas.put(SchemaNormalization.parsingFingerprint64(readerSchema), readerSchema);
        for (Schema writer : extraWriterSchemas) {
            decoder.addSchema(writer);
            writerSchemas.put(SchemaNormalization.parsingFingerprint64(writer), writer);
        }
    }

    /** A codec for a generated class, reading only data written with this build's schema. */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(type, List.of());
    }

    /** A codec that also reads data written with the given (older or newer) writer schemas. */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, List<Schema> writerSchemas) {
        return new AvroCodec<>(type, List.copyOf(writerSchemas));
    }

    /** A copy of this codec that also reads the given writer schemas. */
    public AvroCodec<T> withWriterSchemas(List<Schema> writerSchemas) {
        return new AvroCodec<>(type, List.copyOf(writerSchemas));
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
        } catch (BadHeaderException e) {
            throw new AvroDecodeException(AvroDecodeException.Reason.UNKNOWN_SCHEMA,
                    "Not a single-object encoded Avro " + type.getSimpleName() + ": " + e.getMessage(), e);
        } catch (MissingSchemaException e) {
            throw new AvroDecodeException(AvroDecodeException.Reason.UNKNOWN_SCHEMA,
                    "Unknown writer schema for " + type.getSimpleName()
                            + " (register it as a writer schema): " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            // Corrupt bodies surface as EOFException, AvroRuntimeException, UnsupportedOperationException
            // (Avro's length limits), IndexOutOfBounds... all of them are bad input, not a bug here.
            throw new AvroDecodeException(AvroDecodeException.Reason.AVRO_DECODE_ERROR,
                    "Corrupt " + type.getSimpleName() + " record (" + e.getClass().getSimpleName() + "): "
                            + e.getMessage(), e);
        }
    }

    /**
     * Walks the body against the writer schema without materialising anything. Avro's reader
     * allocates a string or byte array of the length a record CLAIMS before reading it, so a few
     * corrupt bytes could ask for gigabytes; skipping checks every length against the bytes that
     * are really there.
     */
    private void precheck(byte[] bytes) throws AvroDecodeException {
        if (bytes.length < HEADER_BYTES || bytes[0] != (byte) 0xC3 || bytes[1] != (byte) 0x01) {
            throw new AvroDecodeException(AvroDecodeException.Reason.UNKNOWN_SCHEMA,
                    "Not a single-object encoded Avro " + type.getSimpleName()
                            + " (expected the C3 01 marker and an 8-byte schema fingerprint)", null);
        }
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Schema writer = writerSchemas.get(fingerprint);
        if (writer == null) {
            throw new AvroDecodeException(AvroDecodeException.Reason.UNKNOWN_SCHEMA,
                    "Unknown writer schema for " + type.getSimpleName() + " (fingerprint "
                            + Long.toHexString(fingerprint) + "; register it as a writer schema)", null);
        }
        try {
            BinaryDecoder in = DecoderFactory.get().binaryDecoder(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES, null);
            GenericDatumReader.skip(writer, in);
        } catch (IOException | RuntimeException e) {
            throw new AvroDecodeException(AvroDecodeException.Reason.AVRO_DECODE_ERROR,
                    "Corrupt " + type.getSimpleName() + " record (" + e.getClass().getSimpleName() + "): "
                            + e.getMessage(), e);
        }
    }
}
