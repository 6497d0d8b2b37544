package io.vlmtagger.models.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmtagger.models.api.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length, a JSON header
 * ({@code name -> {dtype, shape, data_offsets}} plus optional {@code __metadata__}), then the raw
 * little-endian tensor bytes. Only the header is read on open; each tensor is read on demand.
 *
 * <p>Parsed here rather than through {@code NDList.decode} so that BF16 (converted to float32 via
 * {@code bits << 16}) and lazy, per-tensor loading work the same on every engine.
 */
public final class SafetensorsFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    /** One tensor's header entry; offsets are relative to the start of the data section. */
    public record Entry(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {
        public long byteLength() {
            return end - begin;
        }
    }

    private final Path path;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
        this.path = path;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Reads the header of {@code path}; fails with a {@link CheckpointException} naming the file if it is malformed. */
    public static SafetensorsFile open(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) {
                throw new CheckpointException(
                        path + " is not a safetensors file: header length " + headerLen + ", file size " + size);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            JsonNode root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            long dataLen = size - 8 - headerLen;
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("__metadata__")) {
                    f.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                entries.put(f.getKey(), parseEntry(path, f.getKey(), f.getValue(), dataLen));
            }
            return new SafetensorsFile(path, 8 + headerLen, Collections.unmodifiableMap(entries),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException e) {
            throw new CheckpointException("cannot read safetensors file " + path + ": " + e.getMessage(), e);
        }
    }

    private static Entry parseEntry(Path path, String name, JsonNode node, long dataLen) {
        SafetensorsDtype dtype;
        try {
            dtype = SafetensorsDtype.parse(node.path("dtype").asText());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(path + ": tensor '" + name + "': " + e.getMessage());
        }
        JsonNode shapeNode = node.path("shape");
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
            count *= shape[i];
        }
        long begin = node.path("data_offsets").path(0).asLong(-1);
        long end = node.path("data_offsets").path(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataLen || end - begin != count * dtype.bytes()) {
            throw new CheckpointException(path + ": tensor '" + name + "' has data_offsets [" + begin + ", " + end
                    + "] inconsistent with dtype " + dtype + ", shape " + new Shape(shape) + " and data size " + dataLen);
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    public Path path() {
        return path;
    }

    /** Tensor entries in header order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** The {@code __metadata__} map (e.g. {@code format=pt}); empty if absent. */
    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /**
     * Reads one tensor into {@code manager}: floats as {@code floatType} (F32/F16/BF16 on disk are
     * converted), integers as stored (I64, I32).
     *
     * <p>No host copy of the checkpoint is kept: each tensor's bytes are memory-mapped (read-only),
     * copied into the tensor (libtorch's CPU memory, or the device, with a dtype conversion where
     * one is needed) and the mapping is released before the next tensor is read, so loading holds
     * at most one tensor's bytes besides the weights themselves (two for BF16, widened on the host).
     */
    public NDArray read(NDManager manager, String name, DataType floatType) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new CheckpointException(path + " has no tensor '" + name + "'");
        }
        if (e.byteLength() > Integer.MAX_VALUE) {
            throw new CheckpointException(path + ": tensor '" + name + "' is " + e.byteLength()
                    + " bytes; single tensors over 2 GiB are not supported");
        }
        Shape shape = new Shape(e.shape());
        ByteBuffer mapped = map(e);
        ByteBuffer widened = null;
        try {
            NDArray stored;
            if (e.dtype() == SafetensorsDtype.BF16) {
                widened = bf16ToFloat32(mapped);
                stored = manager.create(widened, shape, DataType.FLOAT32);
            } else {
                stored = manager.create(mapped, shape, e.dtype().djlType());
            }
            NDArray owned;
            if (e.dtype().isFloating() && stored.getDataType() != floatType) {
                owned = stored.toType(floatType, false);
            } else if (!manager.getDevice().isGpu()) {
                owned = stored.duplicate(); // a CPU tensor made from a buffer aliases it (from_blob)
            } else {
                return stored; // already copied to the device
            }
            stored.close();
            return owned;
        } finally {
            DirectBuffers.free(mapped);
            DirectBuffers.free(widened);
        }
    }

    /** A read-only little-endian mapping of one tensor's bytes. */
    private ByteBuffer map(Entry e) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (e.byteLength() == 0) {
                return ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder());
            }
            return ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.byteLength())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw new CheckpointException("cannot read tensor '" + e.name() + "' from " + path + ": " + ex.getMessage(), ex);
        }
    }

    /** Widens little-endian bfloat16 values to native-order float32 ({@code bits << 16}), in bulk chunks. */
    private static ByteBuffer bf16ToFloat32(ByteBuffer raw) {
        ByteBuffer out = ByteBuffer.allocateDirect(raw.remaining() * 2).order(ByteOrder.nativeOrder());
        java.nio.ShortBuffer in = raw.order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        java.nio.IntBuffer bits = out.asIntBuffer();
        short[] chunk = new short[1 << 14];
        int[] widened = new int[chunk.length];
        while (in.hasRemaining()) {
            int n = Math.min(chunk.length, in.remaining());
            in.get(chunk, 0, n);
            for (int i = 0; i < n; i++) {
                widened[i] = (chunk[i] & 0xFFFF) << 16;
            }
            bits.put(widened, 0, n);
        }
        return out;
    }

    /** Reads every tensor in stored precision (BF16 as float32, F16 as float16), keyed by name in file order. */
    public Map<String, NDArray> readAll(NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String name : entries.keySet()) {
            out.put(name, readStored(manager, name));
        }
        return out;
    }

    /** Reads one tensor in stored precision (BF16 as float32, F16 as float16). */
    public NDArray readStored(NDManager manager, String name) {
        Entry e = entries.get(name);
        DataType t = e != null && e.dtype() == SafetensorsDtype.F16 ? DataType.FLOAT16 : DataType.FLOAT32;
        return read(manager, name, t);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }
}
