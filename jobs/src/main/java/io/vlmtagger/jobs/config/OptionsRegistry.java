package io.vlmtagger.jobs.config;

import org.apache.flink.configuration.ConfigOption;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The option classes the job knows: every {@code public static final ConfigOption} field of
 * these classes is a valid key. {@link JobConfig} rejects keys that are not here; {@link
 * OptionsDocs} prints them as the README's table.
 */
public final class OptionsRegistry {

    /** One documented option: the option, its value type and the class that declares it. */
    public record Entry(ConfigOption<?> option, String typeName, Class<?> declaringClass) {
        public String key() {
            return option.key();
        }
    }

    /** The option classes, in the order the README lists them. */
    public static List<Class<?>> optionClasses() {
        List<Class<?>> classes = new ArrayList<>();
        classes.add(JobOptions.class);
        classes.add(SchemaOptions.class);
        classes.add(StartupOptions.class);
        classes.addAll(OperatorOptionClasses.classes());
        classes.add(LocalRunOptions.class);
        return classes;
    }

    /** All options by key, in declaration order per class. */
    public static Map<String, Entry> entries() {
        Map<String, Entry> byKey = new LinkedHashMap<>();
        for (Class<?> c : optionClasses()) {
            for (Entry e : entriesOf(c)) {
                Entry previous = byKey.putIfAbsent(e.key(), e);
                if (previous != null && previous.option() != e.option()) {
                    throw new IllegalStateException("option key '" + e.key() + "' is declared twice: in "
                            + previous.declaringClass().getName() + " and " + c.getName()
                            + "; rename one of them");
                }
            }
        }
        return byKey;
    }

    /** The {@code public static final ConfigOption} fields of one class. */
    public static List<Entry> entriesOf(Class<?> optionClass) {
        List<Entry> out = new ArrayList<>();
        for (Field f : optionClass.getFields()) {
            int m = f.getModifiers();
            if (!Modifier.isStatic(m) || !Modifier.isFinal(m) || !ConfigOption.class.isAssignableFrom(f.getType())) {
                continue;
            }
            try {
                out.add(new Entry((ConfigOption<?>) f.get(null), typeName(f.getGenericType()), optionClass));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot read option field " + f, e);
            }
        }
        // getFields() has no guaranteed order; keep the table stable.
        out.sort(Comparator.comparing(Entry::key));
        return out;
    }

    private static String typeName(Type fieldType) {
        if (!(fieldType instanceof ParameterizedType p)) {
            return "?";
        }
        return simpleName(p.getActualTypeArguments()[0]);
    }

    private static String simpleName(Type t) {
        if (t instanceof ParameterizedType p) {
            String raw = ((Class<?>) p.getRawType()).getSimpleName();
            StringBuilder sb = new StringBuilder(raw).append('<');
            Type[] args = p.getActualTypeArguments();
            for (int i = 0; i < args.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(simpleName(args[i]));
            }
            return sb.append('>').toString();
        }
        if (t instanceof Class<?> c) {
            if (c.isEnum()) {
                StringBuilder sb = new StringBuilder("Enum (");
                Object[] constants = c.getEnumConstants();
                for (int i = 0; i < constants.length; i++) {
                    sb.append(i == 0 ? "" : "|").append(constants[i]);
                }
                return sb.append(')').toString();
            }
            return c.getSimpleName();
        }
        return t.getTypeName();
    }

    private OptionsRegistry() {}
}
