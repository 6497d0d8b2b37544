package io.vlmtagger.schemas.writers;

import java.io.IOException;
import java.util.List;

/**
 * Where producers register their writer schemas ({@code .avsc} text): a directory or a Kafka topic.
 * Not thread-safe; {@link WriterSchemaStore} serialises the calls.
 */
public interface SchemaSource extends AutoCloseable {

    /** One schema as registered, with where it was found (a file, a topic offset). */
    record SchemaText(String json, String origin) {}

    /** The schemas found since the last poll (a directory returns all its files every time). */
    List<SchemaText> poll() throws IOException;

    /** For messages, e.g. {@code directory /etc/vlm-tagger/schemas}. */
    String describe();

    @Override
    default void close() {}
}
