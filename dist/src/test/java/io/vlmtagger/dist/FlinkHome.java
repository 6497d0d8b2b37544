package io.vlmtagger.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Flink home this module lays out ({@code target/vlm-tagger-flink}, path in the system property
 * {@value #PROPERTY} that failsafe sets), and configuration folders derived from its {@code conf/}.
 */
final class FlinkHome {
    static final String PROPERTY = "vlm.flink.home";
    static final String WORK_PROPERTY = "vlm.cluster.work";
    static final String EXTRA_LIB_PROPERTY = "vlm.extra.lib";

    private final Path dir;

    private FlinkHome(Path dir) {
        this.dir = dir;
    }

    /** The home built by this module's package phase; fails with what to run when it is missing. */
    static FlinkHome fromBuild() {
        String path = System.getProperty(PROPERTY);
        if (path == null) {
            throw new IllegalStateException("system property " + PROPERTY + " is not set: run the cluster tests"
                    + " through Maven (mvn verify -pl dist -am), which lays out the Flink home first");
        }
        FlinkHome home = new FlinkHome(Path.of(path));
        for (Path p : List.of(home.bin("flink"), home.conf().resolve("config.yaml"), home.jobJar())) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(p + " is missing: run mvn package (the dist module lays out "
                        + home.dir + " in its package phase)");
            }
        }
        return home;
    }

    /**
     * An empty folder for one test's cluster (configuration, logs, checkpoints, broker data) under
     * the system property {@value #WORK_PROPERTY} (target/cluster-it), kept after the run.
     */
    Path workDir(String name) {
        Path dir = Path.of(System.getProperty(WORK_PROPERTY, System.getProperty("java.io.tmpdir"))).resolve(name);
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> tree = Files.walk(dir)) {
                    for (Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty " + dir, e);
        }
    }

    Path dir() {
        return dir;
    }

    Path bin(String script) {
        return dir.resolve("bin").resolve(script);
    }

    Path conf() {
        return dir.resolve("conf");
    }

    Path lib() {
        return dir.resolve("lib");
    }

    /**
     * The jars lib/ holds beyond Flink and log4j (DJL/PyTorch, the ImageIO plugins): target/extra-lib,
     * property {@value #EXTRA_LIB_PROPERTY}, which the Docker images add to Flink's own lib/.
     */
    List<Path> extraLibJars() {
        Path extra = Path.of(System.getProperty(EXTRA_LIB_PROPERTY, dir.resolveSibling("extra-lib").toString()));
        try (Stream<Path> jars = Files.list(extra)) {
            List<Path> list = jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
            if (list.isEmpty()) {
                throw new IllegalStateException("no jars in " + extra + ": run mvn package");
            }
            return list;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + extra, e);
        }
    }

    /** The job jar, where the Docker image puts it too. */
    Path jobJar() {
        return dir.resolve("usrlib").resolve("vlm-tagger-job.jar");
    }

    /**
     * Copies {@code conf/} to {@code target} and sets {@code settings} in its config.yaml: a line
     * {@code key: value} of the shipped file is replaced (removed when the value is null), other
     * keys are appended. The shipped file uses flat keys, so this edits it the way a user would.
     */
    Path writeConf(Path target, Map<String, String> settings) {
        try {
            Files.createDirectories(target);
            try (Stream<Path> files = Files.list(conf())) {
                for (Path f : files.toList()) {
                    Files.copy(f, target.resolve(f.getFileName()));
                }
            }
            Map<String, String> pending = new LinkedHashMap<>(settings);
            List<String> lines = new ArrayList<>();
            for (String line : Files.readAllLines(target.resolve("config.yaml"))) {
                String key = keyOf(line);
                if (key == null || !pending.containsKey(key)) {
                    lines.add(line);
                } else if (pending.get(key) != null) {
                    lines.add(key + ": " + pending.remove(key));
                } else {
                    pending.remove(key);
                }
            }
            pending.forEach((k, v) -> {
                if (v != null) {
                    lines.add(k + ": " + v);
                }
            });
            Files.write(target.resolve("config.yaml"), lines);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a Flink configuration to " + target, e);
        }
    }

    /** The key of a flat {@code key: value} line, null for comments and blank lines. */
    static String keyOf(String line) {
        if (line.isBlank() || line.startsWith("#") || Character.isWhitespace(line.charAt(0))) {
            return null;
        }
        int colon = line.indexOf(": ");
        return colon < 0 ? null : line.substring(0, colon).strip();
    }
}
