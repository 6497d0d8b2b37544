package io.vlmtagger.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * A non-trivial datum for any schema, built generically (no generated class involved), and its
 * single-object encoding written by hand: marker, fingerprint bytes, GenericDatumWriter body. What
 * a producer in another language does.
 */
public final class SampleData {
    private SampleData() {}

    /** A datum with every field set: strings "&lt;field&gt;-x", numbers 7, the last union branch, one array/map element. */
    public static Object of(Schema s, String name) {
        return switch (s.getType()) {
            case RECORD -> {
                GenericRecord r = new GenericData.Record(s);
                for (Schema.Field f : s.getFields()) {
                    r.put(f.name(), of(f.schema(), f.name()));
                }
                yield r;
            }
            case ENUM -> new GenericData.EnumSymbol(s, s.getEnumSymbols().get(0));
            case UNION -> of(s.getTypes().get(s.getTypes().size() - 1), name);
            case ARRAY -> new ArrayList<>(List.of(of(s.getElementType(), name)));
            case MAP -> new LinkedHashMap<>(Map.of("k", of(s.getValueType(), name)));
            case STRING -> name + "-x";
            case BYTES -> ByteBuffer.wrap((name + "-bytes").getBytes(StandardCharsets.UTF_8));
            case FIXED -> new GenericData.Fixed(s, new byte[s.getFixedSize()]);
            case INT -> 7;
            case LONG -> 7L;
            case FLOAT -> 7f;
            case DOUBLE -> 7d;
            case BOOLEAN -> true;
            case NULL -> null;
        };
    }

    /** {@code C3 01} + the schema's fingerprint (little-endian) + the Avro binary body of {@code datum}. */
    public static byte[] singleObject(Schema schema, Object datum) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Fingerprints.header(schema));
        try {
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<Object>(schema).write(datum, enc);
            enc.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
