package io.vlmtagger.operators.fetch;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

import java.time.Duration;
import java.util.List;

/** Knobs of the fetch stage; read with {@link FetcherOptions#fromConfig}. */
public final class FetchOptions {
    private FetchOptions() {}

    public static final ConfigOption<List<String>> ALLOWED_SCHEMES =
            ConfigOptions.key("fetch.allowed-schemes")
                    .stringType()
                    .asList()
                    .defaultValues("file", "http", "https")
                    .withDescription("URI schemes the job may fetch images from (inline images are always accepted); others are dead-lettered with reason fetch_denied.");

    public static final ConfigOption<List<String>> ALLOWED_ROOTS =
            ConfigOptions.key("fetch.allowed-roots")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription("Directories under which file:// images may be read, separated by ';'. Unset: no file:// fetch is allowed.");

    public static final ConfigOption<List<String>> ALLOWED_HOSTS =
            ConfigOptions.key("fetch.allowed-hosts")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription("Hosts http(s):// images may be fetched from, separated by ';': exact names or *.domain (a bare '*' is refused). Unset: no http(s) fetch is allowed.");

    public static final ConfigOption<MemorySize> MAX_BYTES =
            ConfigOptions.key("fetch.max-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.parse("10mb"))
                    .withDescription("Largest image accepted (inline or fetched); bigger ones are dead-lettered with reason too_large.");

    public static final ConfigOption<Duration> TIMEOUT =
            ConfigOptions.key("fetch.timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("Timeout of one image fetch; a fetch that times out is dead-lettered with reason timeout.");

    public static final ConfigOption<Integer> CAPACITY =
            ConfigOptions.key("fetch.capacity")
                    .intType()
                    .defaultValue(64)
                    .withDescription("Concurrent fetches in flight per subtask (async I/O capacity).");

    public static final ConfigOption<MemorySize> MAX_IN_FLIGHT_BYTES =
            ConfigOptions.key("fetch.max-in-flight-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.parse("128mb"))
                    .withDescription("Bytes of images a fetch subtask holds in flight (inline images as they are; a URI fetch reserves fetch.max-bytes until it completes), in its heap and its checkpointed state. Once reached it takes no new event until fetches complete (backpressure, never a dead letter); see docs/reliability.md.");
}
