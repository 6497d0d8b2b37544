package io.vlmtagger.jobs.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The job's configuration: typed options ({@link OptionsRegistry}) read from command-line
 * arguments and an optional properties file. Immutable and serializable (it holds the raw
 * key/value strings; values are parsed by {@link #get}).
 *
 * <p>Argument syntax: {@code --key value}, {@code --key=value}, a boolean option alone
 * ({@code --local.ask-questions}) means {@code true}, and {@code --config file.properties} reads a
 * file first; arguments override the file. Unknown keys are rejected with the closest known keys;
 * values are type-checked when loading, so a bad value fails before the job is built. Flink's own
 * {@code execution.checkpointing.*} and {@code state.*} keys are accepted too ({@link FlinkPassThrough}).
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The argument naming a properties file. */
    public static final String CONFIG_FILE_ARG = "config";

    /** Short flags of the local runner and the keys they stand for. */
    public static final Map<String, String> LOCAL_ALIASES = Map.of(
            "images", LocalRunOptions.IMAGES_DIR.key(),
            "blip2", JobOptions.MODEL_CAPTION_CHECKPOINT.key(),
            "llava", JobOptions.MODEL_CHAT_CHECKPOINT.key(),
            "device", JobOptions.MODEL_DEVICE.key());

    private final TreeMap<String, String> values;

    private JobConfig(Map<String, String> values) {
        this.values = new TreeMap<>(values);
    }

    /** Every option at its default. */
    public static JobConfig defaults() {
        return new JobConfig(Map.of());
    }

    /** Parses job arguments (no short aliases). */
    public static JobConfig fromArgs(String... args) {
        return fromArgs(args, Map.of());
    }

    /**
     * Parses arguments, with {@code aliases} mapping short flag names to option keys.
     *
     * @throws ConfigException with a message saying what to fix
     */
    public static JobConfig fromArgs(String[] args, Map<String, String> aliases) {
        Map<String, String> fromArgs = new LinkedHashMap<>();
        String configFile = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new ConfigException("unexpected argument '" + arg + "': options are written --key value or --key=value");
            }
            String key;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                key = arg.substring(2, eq);
                value = arg.substring(eq + 1);
            } else {
                key = arg.substring(2);
                boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
                if (hasValue) {
                    value = args[++i];
                } else if (isBooleanKey(aliases.getOrDefault(key, key))) {
                    value = "true";
                } else {
                    throw new ConfigException("missing value for --" + key + ": write --" + key + " <value>");
                }
            }
            if (key.equals(CONFIG_FILE_ARG)) {
                if (configFile != null) {
                    throw new ConfigException("--config given twice ('" + configFile + "' and '" + value + "'): give one properties file");
                }
                configFile = value;
                continue;
            }
            fromArgs.put(aliases.getOrDefault(key, key), value);
        }
        Map<String, String> merged = new LinkedHashMap<>();
        if (configFile != null) {
            merged.putAll(readProperties(Path.of(configFile)));
        }
        merged.putAll(fromArgs);
        return fromMap(merged);
    }

    /**
     * Builds a configuration from raw key/value strings.
     *
     * @throws ConfigException for unknown keys or values that do not parse
     */
    public static JobConfig fromMap(Map<String, String> raw) {
        Map<String, OptionsRegistry.Entry> known = OptionsRegistry.entries();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            if (known.containsKey(e.getKey())) {
                continue;
            }
            if (FlinkPassThrough.applies(e.getKey())) {
                FlinkPassThrough.check(e.getKey(), e.getValue());
            } else {
                throw new ConfigException(unknownKeyMessage(e.getKey(), known.keySet()));
            }
        }
        JobConfig config = new JobConfig(raw);
        config.validate(known);
        return config;
    }

    /** Reads a properties file (UTF-8). */
    public static Map<String, String> readProperties(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("configuration file " + file.toAbsolutePath() + " does not exist or is not a file");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) {
            out.put(name.trim(), p.getProperty(name).trim());
        }
        return out;
    }

    /** The option's value, or its default (null when it has none). */
    public <T> T get(ConfigOption<T> option) {
        return toConfiguration().get(option);
    }

    /** The option's value when set or defaulted. */
    public <T> Optional<T> getOptional(ConfigOption<T> option) {
        Configuration c = toConfiguration();
        Optional<T> set = c.getOptional(option);
        if (set.isPresent()) {
            return set;
        }
        return option.hasDefaultValue() ? Optional.of(option.defaultValue()) : Optional.empty();
    }

    /** Whether the key was given explicitly. */
    public boolean isSet(ConfigOption<?> option) {
        return values.containsKey(option.key());
    }

    /** A copy with one more value (the value is written as Flink would print it). */
    public <T> JobConfig with(ConfigOption<T> option, T value) {
        Configuration c = toConfiguration();
        c.set(option, value);
        return fromMap(c.toMap());
    }

    /** A copy with one more raw value. */
    public JobConfig withRaw(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(values);
        m.put(key, value);
        return fromMap(m);
    }

    /** The explicitly set values, sorted by key. */
    public Map<String, String> toMap() {
        return Collections.unmodifiableMap(values);
    }

    /** A fresh Flink configuration holding the explicitly set values. */
    public Configuration toConfiguration() {
        return Configuration.fromMap(values);
    }

    @Override
    public String toString() {
        Map<String, String> shown = new java.util.TreeMap<>(values);
        shown.replaceAll((k, v) -> k.contains("password") ? "******" : v);
        return "JobConfig" + shown;
    }

    private void validate(Map<String, OptionsRegistry.Entry> known) {
        Configuration c = toConfiguration();
        for (String key : values.keySet()) {
            OptionsRegistry.Entry e = known.get(key);
            if (e == null) {
                continue; // a Flink key, checked by FlinkPassThrough
            }
            try {
                c.get(e.option());
            } catch (RuntimeException ex) {
                throw new ConfigException("invalid value '" + values.get(key) + "' for " + key + " (type "
                        + e.typeName() + "): " + rootMessage(ex), ex);
            }
        }
        OptionChecks.check(this);
    }

    private static boolean isBooleanKey(String key) {
        OptionsRegistry.Entry e = OptionsRegistry.entries().get(key);
        return e != null && e.typeName().equals("Boolean");
    }

    private static String rootMessage(Throwable t) {
        Throwable cur = t;
        while (cur.getCause() != null && cur.getCause() != cur) {
            cur = cur.getCause();
        }
        return cur.getMessage() == null ? cur.getClass().getSimpleName() : cur.getMessage();
    }

    static String unknownKeyMessage(String key, Iterable<String> knownKeys) {
        List<String> close = KeySuggestions.closest(key, knownKeys, 3);
        StringBuilder sb = new StringBuilder("unknown option '").append(key).append('\'');
        if (!close.isEmpty()) {
            sb.append("; did you mean ").append(String.join(" or ", close)).append('?');
        }
        sb.append(" (README.md lists every option; `OptionsDocs` prints them)");
        return sb.toString();
    }
}
