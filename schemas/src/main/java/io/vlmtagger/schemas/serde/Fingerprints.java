package io.vlmtagger.schemas.serde;

import java.util.HexFormat;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Schema fingerprints as they appear on the wire. Single-object encoding puts the writer schema's
 * CRC-64-AVRO parsing fingerprint into bytes 3-10 of every value, <em>little-endian</em>; tools
 * print it differently (Java's {@code long} big-endian, fastavro the bytes), so every message of
 * this project shows the 8 header bytes in wire order, as hex: what a producer can compare with a
 * hex dump of its own records.
 */
public final class Fingerprints {
    /** The two marker bytes of single-object encoding, {@code C3 01}. */
    public static final byte[] MARKER = {(byte) 0xC3, (byte) 0x01};

    private static final HexFormat HEX = HexFormat.of();

    private Fingerprints() {}

    /** The CRC-64-AVRO parsing fingerprint of {@code schema}. */
    public static long of(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    /** The 8 fingerprint bytes in wire order (little-endian). */
    public static byte[] wireBytes(long fingerprint) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (fingerprint >>> (8 * i));
        }
        return b;
    }

    /** The 10-byte header a producer writes before the Avro body: marker + fingerprint. */
    public static byte[] header(Schema schema) {
        byte[] fp = wireBytes(of(schema));
        byte[] h = new byte[MARKER.length + fp.length];
        System.arraycopy(MARKER, 0, h, 0, MARKER.length);
        System.arraycopy(fp, 0, h, MARKER.length, fp.length);
        return h;
    }

    /** The fingerprint as the 8 header bytes in hex, wire order, e.g. {@code 3c3e3466a3e92106}. */
    public static String hex(long fingerprint) {
        return HEX.formatHex(wireBytes(fingerprint));
    }

    /** The fingerprint read from a value's header (bytes 3-10, little-endian). */
    public static long read(byte[] value) {
        long fp = 0;
        for (int i = 0; i < 8; i++) {
            fp |= (value[MARKER.length + i] & 0xFFL) << (8 * i);
        }
        return fp;
    }

    /** Up to {@code max} leading bytes of {@code value} in hex, for messages about bad headers. */
    public static String leadingHex(byte[] value, int max) {
        int n = Math.min(max, value.length);
        return HEX.formatHex(value, 0, n) + (value.length > n ? "..." : "");
    }
}
