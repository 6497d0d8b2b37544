package io.vlmtagger.jobs.config;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.FallbackKey;

/**
 * Every option key Flink itself declares: the {@code public static final ConfigOption} fields of
 * each {@code org.apache.flink.configuration.*Options} class in flink-core (or flink-dist on a
 * cluster), with their deprecated keys mapped to the current ones. Scanned once per JVM.
 */
public record FlinkOptionKeys(Map<String, ConfigOption<?>> options, Map<String, String> deprecatedKeys) {

    private static volatile FlinkOptionKeys scanned;

    /** The declared keys. */
    public Set<String> keys() {
        return options.keySet();
    }

    /** Flink's options, scanned from the jar that holds {@link CoreOptions}. */
    public static FlinkOptionKeys scan() {
        FlinkOptionKeys result = scanned;
        if (result == null) {
            result = doScan();
            scanned = result;
        }
        return result;
    }

    private static FlinkOptionKeys doScan() {
        Map<String, ConfigOption<?>> options = new HashMap<>();
        Map<String, String> deprecated = new HashMap<>();
        try (JarFile jar = new JarFile(flinkCoreJar().toFile())) {
            var entries = jar.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (!name.matches("org/apache/flink/configuration/[A-Za-z]+Options\\.class")) {
                    continue;
                }
                Class<?> cls = Class.forName(name.replace('/', '.').replace(".class", ""), true,
                        CoreOptions.class.getClassLoader());
                for (Field f : cls.getFields()) {
                    if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                        ConfigOption<?> option = (ConfigOption<?>) f.get(null);
                        options.putIfAbsent(option.key(), option);
                        for (FallbackKey fallback : option.fallbackKeys()) {
                            deprecated.putIfAbsent(fallback.getKey(), option.key());
                        }
                    }
                }
            }
        } catch (IOException | ReflectiveOperationException | URISyntaxException e) {
            throw new IllegalStateException("cannot scan Flink's option classes", e);
        }
        deprecated.keySet().removeAll(options.keySet());
        return new FlinkOptionKeys(Collections.unmodifiableMap(options), Collections.unmodifiableMap(deprecated));
    }

    private static Path flinkCoreJar() throws URISyntaxException {
        return Path.of(CoreOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
