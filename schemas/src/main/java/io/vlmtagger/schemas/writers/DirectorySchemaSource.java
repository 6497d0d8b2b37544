package io.vlmtagger.schemas.writers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Every {@code *.avsc} file directly in one directory, read again on every poll. */
public final class DirectorySchemaSource implements SchemaSource {
    private final Path dir;

    public DirectorySchemaSource(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    @Override
    public List<SchemaText> poll() throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("the writer-schema directory " + dir + " does not exist or is not a directory");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".avsc") && Files.isRegularFile(p)).sorted().toList();
        }
        List<SchemaText> out = new ArrayList<>();
        for (Path f : files) {
            out.add(new SchemaText(Files.readString(f, StandardCharsets.UTF_8), "file " + f));
        }
        return out;
    }

    @Override
    public String describe() {
        return "directory " + dir;
    }
}
