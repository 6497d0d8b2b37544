package io.vlmtagger.operators.search.opensearch;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

/**
 * Writes the entries an OpenSearch sink still buffers into checkpoints: id, attempts and the
 * source as length-prefixed UTF-8 (no Java serialization, no 64 KB limit).
 */
public final class BulkIndexEntryStateSerializer extends AsyncSinkWriterStateSerializer<BulkIndexEntry> {
    private static final int VERSION = 1;

    @Override
    protected void serializeRequestToStream(BulkIndexEntry entry, DataOutputStream out) throws IOException {
        writeString(entry.id(), out);
        out.writeInt(entry.attempts());
        writeString(entry.sourceJson(), out);
    }

    @Override
    protected BulkIndexEntry deserializeRequestFromStream(long requestSize, DataInputStream in) throws IOException {
        String id = readString(in);
        int attempts = in.readInt();
        String source = readString(in);
        return new BulkIndexEntry(id, source, attempts);
    }

    @Override
    public int getVersion() {
        return VERSION;
    }

    private static void writeString(String s, DataOutputStream out) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0) {
            throw new IOException("Corrupt search sink state: negative string length " + len);
        }
        byte[] bytes = new byte[len];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
