package io.vlmtagger.training;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code --key value} options of the training and evaluation commands. */
public final class CommandLine {
    private CommandLine() {}

    /**
     * The options of {@code args} by name (without the dashes), in order.
     *
     * @param known the option names the command accepts (without dashes); any other is refused
     */
    public static Map<String, String> options(String[] args, List<String> known) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i].replaceFirst("^--", "");
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown option " + args[i] + " (known: --"
                        + String.join(" --", known) + ")");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " has no value");
            }
            out.put(name, args[i + 1]);
        }
        return out;
    }
}
