package io.vlmtagger.schemas.serde;

import java.io.IOException;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Walks an Avro binary body against its writer schema without materialising anything, checking
 * what Avro's reader would trust: every string/bytes length against the bytes really present
 * (Avro allocates the length a record <em>claims</em>, so a few corrupt bytes could ask for
 * gigabytes), and every enum and union index against the writer schema. Failures name the field,
 * e.g. {@code tasks[0]: enum TaskType index 4, but the writer schema has 4 symbols}.
 */
final class BodyCheck {

    /** The body does not match the writer schema; the message starts with the field path. */
    static final class Mismatch extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean enumIndex;

        Mismatch(String message, boolean enumIndex) {
            super(message);
            this.enumIndex = enumIndex;
        }
    }

    private final byte[] bytes;
    private final BinaryDecoder in;

    private BodyCheck(byte[] bytes, int offset) {
        this.bytes = bytes;
        this.in = DecoderFactory.get().binaryDecoder(bytes, offset, bytes.length - offset, null);
    }

    /** Checks {@code bytes[offset..]} against {@code writer}. */
    static void check(Schema writer, byte[] bytes, int offset) throws IOException, Mismatch {
        new BodyCheck(bytes, offset).walk(writer, "");
    }

    private void walk(Schema s, String path) throws IOException, Mismatch {
        switch (s.getType()) {
            case RECORD -> {
                for (Schema.Field f : s.getFields()) {
                    walk(f.schema(), path.isEmpty() ? f.name() : path + "." + f.name());
                }
            }
            case ENUM -> {
                int i = in.readEnum();
                List<String> symbols = s.getEnumSymbols();
                if (i < 0 || i >= symbols.size()) {
                    throw new Mismatch(path + ": enum " + s.getName() + " index " + i + ", but the writer schema has "
                            + symbols.size() + " symbols " + symbols, true);
                }
            }
            case UNION -> {
                int i = in.readIndex();
                List<Schema> branches = s.getTypes();
                if (i < 0 || i >= branches.size()) {
                    throw new Mismatch(path + ": union branch " + i + ", but the writer schema has " + branches.size()
                            + " branches", false);
                }
                walk(branches.get(i), path);
            }
            case ARRAY -> {
                long index = 0;
                for (long n = in.readArrayStart(); n != 0; n = in.arrayNext()) {
                    for (long k = 0; k < n; k++) {
                        walk(s.getElementType(), path + "[" + index++ + "]");
                    }
                }
            }
            case MAP -> {
                for (long n = in.readMapStart(); n != 0; n = in.mapNext()) {
                    for (long k = 0; k < n; k++) {
                        skipLength(path + " (map key)");
                        walk(s.getValueType(), path + "{}");
                    }
                }
            }
            case STRING, BYTES -> skipLength(path);
            case FIXED -> in.skipFixed(s.getFixedSize());
            case INT -> in.readInt();
            case LONG -> in.readLong();
            case FLOAT -> in.readFloat();
            case DOUBLE -> in.readDouble();
            case BOOLEAN -> in.readBoolean();
            case NULL -> in.readNull();
        }
    }

    private void skipLength(String path) throws IOException, Mismatch {
        long length = in.readLong();
        if (length < 0 || length > bytes.length) {
            throw new Mismatch(path + ": length " + length + " but the whole record has " + bytes.length + " bytes", false);
        }
        in.skipFixed((int) length);
    }
}
