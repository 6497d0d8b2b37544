package io.vlmtagger.models.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes tensors as a HuggingFace checkpoint: {@code model.safetensors}, or shards
 * {@code model-0000N-of-0000M.safetensors} plus {@code model.safetensors.index.json}. Floating-point
 * tensors are stored in one chosen dtype (F32, F16 or BF16); integer tensors keep I64/I32.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final SafetensorsDtype floatDtype;
    private final int shardCount;
    private final long maxShardBytes;
    private final Map<String, String> metadata;

    private SafetensorsWriter(Builder b) {
        this.directory = b.directory;
        this.floatDtype = b.floatDtype;
        this.shardCount = b.shardCount;
        this.maxShardBytes = b.maxShardBytes;
        this.metadata = Map.copyOf(b.metadata);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Writes {@code tensors} (in map order) into the directory, creating it if needed.
     *
     * @return the files written (shards first, then the index, if sharded)
     */
    public List<Path> write(Map<String, NDArray> tensors) throws IOException {
        Files.createDirectories(directory);
        List<Map<String, NDArray>> shards = split(tensors);
        List<Path> written = new ArrayList<>();
        if (shards.size() == 1) {
            Path p = directory.resolve(CheckpointFiles.SINGLE_FILE);
            writeFile(p, shards.get(0), floatDtype, metadata);
            written.add(p);
            return written;
        }
        ObjectNode index = JSON.createObjectNode();
        ObjectNode weightMap = JSON.createObjectNode();
        long total = 0;
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            Path p = directory.resolve(name);
            total += writeFile(p, shards.get(i), floatDtype, metadata);
            for (String key : shards.get(i).keySet()) {
                weightMap.put(key, name);
            }
            written.add(p);
        }
        index.putObject("metadata").put("total_size", total);
        index.set("weight_map", weightMap);
        Path indexPath = directory.resolve(CheckpointFiles.INDEX_FILE);
        JSON.writerWithDefaultPrettyPrinter().writeValue(indexPath.toFile(), index);
        written.add(indexPath);
        return written;
    }

    private List<Map<String, NDArray>> split(Map<String, NDArray> tensors) {
        long total = 0;
        for (NDArray a : tensors.values()) {
            total += storedBytes(a, floatDtype);
        }
        long limit = maxShardBytes > 0 ? maxShardBytes : Long.MAX_VALUE;
        List<Map<String, NDArray>> shards = new ArrayList<>();
        Map<String, NDArray> current = new LinkedHashMap<>();
        long currentBytes = 0;
        long before = 0;
        int currentTarget = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            long size = storedBytes(e.getValue(), floatDtype);
            // with a shard count, a tensor goes to the shard its starting byte falls in
            int target = total == 0 ? 0 : (int) Math.min(shardCount - 1, before * shardCount / total);
            boolean full = currentBytes + size > limit;
            if (!current.isEmpty() && (target != currentTarget || full)) {
                shards.add(current);
                current = new LinkedHashMap<>();
                currentBytes = 0;
            }
            currentTarget = target;
            current.put(e.getKey(), e.getValue());
            currentBytes += size;
            before += size;
        }
        if (!current.isEmpty() || shards.isEmpty()) {
            shards.add(current);
        }
        return shards;
    }

    /**
     * Writes one safetensors file.
     *
     * @return the number of tensor data bytes written
     */
    public static long writeFile(Path file, Map<String, NDArray> tensors, SafetensorsDtype floatDtype,
            Map<String, String> metadata) throws IOException {
        if (!floatDtype.isFloating()) {
            throw new IllegalArgumentException("floatDtype must be F32, F16 or BF16, got " + floatDtype);
        }
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        List<byte[]> blobs = new ArrayList<>();
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            SafetensorsDtype dtype = storedDtype(a, floatDtype);
            byte[] bytes = encode(a, dtype);
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", dtype.name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes.length);
            offset += bytes.length;
            blobs.add(bytes);
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            headerBytes[i] = ' ';
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(headerBytes);
            for (byte[] b : blobs) {
                out.write(b);
            }
        }
        return offset;
    }

    private static SafetensorsDtype storedDtype(NDArray a, SafetensorsDtype floatDtype) {
        DataType t = a.getDataType();
        if (t.isFloating()) {
            return floatDtype;
        }
        if (t == DataType.INT64) {
            return SafetensorsDtype.I64;
        }
        if (t == DataType.INT32) {
            return SafetensorsDtype.I32;
        }
        throw new IllegalArgumentException("cannot write a tensor of type " + t + " (floats, int64, int32 only)");
    }

    private static long storedBytes(NDArray a, SafetensorsDtype floatDtype) {
        return a.getShape().size() * storedDtype(a, floatDtype).bytes();
    }

    private static byte[] encode(NDArray a, SafetensorsDtype dtype) {
        ByteBuffer buf = ByteBuffer.allocate((int) (a.getShape().size() * dtype.bytes())).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> {
                for (float f : asFloats(a)) {
                    buf.putFloat(f);
                }
            }
            case BF16 -> {
                for (float f : asFloats(a)) {
                    buf.putShort(Bf16.fromFloat(f));
                }
            }
            case F16 -> {
                try (NDArray half = a.toType(DataType.FLOAT16, true)) {
                    ByteBuffer native16 = half.toByteBuffer().order(ByteOrder.nativeOrder());
                    while (native16.hasRemaining()) {
                        buf.putShort(native16.getShort());
                    }
                }
            }
            case I64 -> {
                for (long v : a.toLongArray()) {
                    buf.putLong(v);
                }
            }
            case I32 -> {
                for (int v : a.toIntArray()) {
                    buf.putInt(v);
                }
            }
            default -> throw new IllegalStateException("unhandled dtype " + dtype);
        }
        return buf.array();
    }

    private static float[] asFloats(NDArray a) {
        if (a.getDataType() == DataType.FLOAT32) {
            return a.toFloatArray();
        }
        try (NDArray f = a.toType(DataType.FLOAT32, true)) {
            return f.toFloatArray();
        }
    }

    /** Builds a {@link SafetensorsWriter}: {@code setDirectory} required. */
    public static final class Builder {
        private Path directory;
        private SafetensorsDtype floatDtype = SafetensorsDtype.F32;
        private int shardCount = 1;
        private long maxShardBytes = 0;
        private final Map<String, String> metadata = new LinkedHashMap<>(Map.of("format", "pt"));

        private Builder() {}

        public Builder setDirectory(Path directory) {
            this.directory = directory;
            return this;
        }

        /** Dtype for floating-point tensors; default F32. */
        public Builder optFloatDtype(SafetensorsDtype floatDtype) {
            this.floatDtype = floatDtype;
            return this;
        }

        /** Split into about this many shards of similar size (plus an index file); default 1. */
        public Builder optShardCount(int shardCount) {
            this.shardCount = shardCount;
            return this;
        }

        /** Start a new shard before a tensor that would push the shard past this size; default unlimited. */
        public Builder optMaxShardBytes(long maxShardBytes) {
            this.maxShardBytes = maxShardBytes;
            return this;
        }

        /** A {@code __metadata__} entry; {@code format=pt} is always present. */
        public Builder optMetadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        public SafetensorsWriter build() {
            if (directory == null) {
                throw new IllegalStateException("SafetensorsWriter needs setDirectory(<checkpoint directory>)");
            }
            if (floatDtype == null || !floatDtype.isFloating()) {
                throw new IllegalStateException("optFloatDtype must be F32, F16 or BF16, got " + floatDtype);
            }
            if (shardCount < 1) {
                throw new IllegalStateException("optShardCount must be >= 1, got " + shardCount);
            }
            return new SafetensorsWriter(this);
        }
    }
}
