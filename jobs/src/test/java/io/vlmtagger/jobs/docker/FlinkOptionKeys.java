package io.vlmtagger.jobs.docker;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.FallbackKey;

/**
 * Every option key Flink itself declares: the {@code public static final ConfigOption} fields of
 * each {@code org.apache.flink.configuration.*Options} class in flink-core, with their deprecated
 * keys mapped to the current ones.
 */
record FlinkOptionKeys(Set<String> keys, Map<String, String> deprecatedKeys) {

    static FlinkOptionKeys scan() {
        Set<String> keys = new HashSet<>();
        Map<String, String> deprecated = new HashMap<>();
        try (JarFile jar = new JarFile(flinkCoreJar().toFile())) {
            var entries = jar.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (!name.matches("org/apache/flink/configuration/[A-Za-z]+Options\\.class")) {
                    continue;
                }
                Class<?> cls = Class.forName(name.replace('/', '.').replace(".class", ""));
                for (Field f : cls.getFields()) {
                    if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                        ConfigOption<?> option = (ConfigOption<?>) f.get(null);
                        keys.add(option.key());
                        for (FallbackKey fallback : option.fallbackKeys()) {
                            deprecated.putIfAbsent(fallback.getKey(), option.key());
                        }
                    }
                }
            }
        } catch (IOException | ReflectiveOperationException | URISyntaxException e) {
            throw new IllegalStateException("cannot scan Flink's option classes", e);
        }
        deprecated.keySet().removeAll(keys);
        return new FlinkOptionKeys(keys, deprecated);
    }

    private static Path flinkCoreJar() throws URISyntaxException {
        return Path.of(CoreOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
