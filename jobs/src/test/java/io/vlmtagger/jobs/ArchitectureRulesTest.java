package io.vlmtagger.jobs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The import rules of docs/architecture.md, checked on every main source file of every module
 * (imports and fully qualified names in code; comments do not count), the way {@code
 * NoFlinkInModelsTest} checks the models module.
 */
class ArchitectureRulesTest {
    private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.vlmtagger\\.[a-z0-9_.]*[a-z0-9_]|org\\.apache\\.flink)\\b");

    /** A main source file, its module-relative path and the packages it references. */
    private record Source(String path, String pkg, List<String> references) {
        boolean in(String packagePrefix) {
            return pkg.equals(packagePrefix) || pkg.startsWith(packagePrefix + ".");
        }
    }

    @Test
    void operatorsSeeModelsOnlyThroughTheApi() {
        assertThat(offenders("operators", s -> true, r -> r.startsWith("io.vlmtagger.models")
                && !r.startsWith("io.vlmtagger.models.api"))).as("operators reaching past models.api").isEmpty();
    }

    @Test
    void theRuntimeImportsNoStageNoFlinkAndNoRecords() {
        assertThat(offenders("operators", s -> s.in("io.vlmtagger.operators.runtime"),
                r -> (r.startsWith("io.vlmtagger.operators.") && !r.startsWith("io.vlmtagger.operators.runtime"))
                        || r.startsWith("org.apache.flink") || r.startsWith("io.vlmtagger.schemas")
                        || r.startsWith("io.vlmtagger.jobs")))
                .as("operators.runtime must know no stage, no Flink and no records").isEmpty();
    }

    @Test
    void stagesDoNotImportEachOther() {
        List<String> offenders = new ArrayList<>();
        for (String stage : List.of("caption", "chat", "fewshot")) {
            String pkg = "io.vlmtagger.operators." + stage;
            offenders.addAll(offenders("operators", s -> s.in(pkg), r -> r.matches(
                    "io\\.vlmtagger\\.operators\\.(caption|chat|fewshot)\\b.*") && !r.startsWith(pkg)));
        }
        assertThat(offenders).as("a stage shares code through runtime/ or stage/, not through another stage").isEmpty();
    }

    @Test
    void servingCodeNeverImportsTrainingCode() {
        // the serving modules; the training module (io.vlmtagger.training) depends on them, never the reverse
        Predicate<String> training = r -> r.startsWith("io.vlmtagger.training");
        Predicate<Source> serving = s -> !s.in("io.vlmtagger.training");
        List<String> offenders = new ArrayList<>();
        for (String module : List.of("schemas", "models", "operators", "jobs")) {
            offenders.addAll(offenders(module, serving, training));
        }
        assertThat(offenders).as("serving code using training code").isEmpty();
    }

    @Test
    void modulesOnlyLookDown() {
        List<String> offenders = new ArrayList<>();
        offenders.addAll(offenders("schemas", s -> true, r -> r.startsWith("io.vlmtagger.models")
                || r.startsWith("io.vlmtagger.operators") || r.startsWith("io.vlmtagger.jobs")));
        offenders.addAll(offenders("models", s -> true, r -> r.startsWith("io.vlmtagger.schemas")
                || r.startsWith("io.vlmtagger.operators") || r.startsWith("io.vlmtagger.jobs")
                || r.startsWith("org.apache.flink")));
        offenders.addAll(offenders("operators", s -> true, r -> r.startsWith("io.vlmtagger.jobs")));
        assertThat(offenders).as("jobs > operators > models, schemas; models free of Flink and of schemas").isEmpty();
    }

    /** {@code path -> reference} for every forbidden reference of the module's sources that {@code which} selects. */
    private static List<String> offenders(String module, Predicate<Source> which, Predicate<String> forbidden) {
        List<String> out = new ArrayList<>();
        for (Source s : sources(module)) {
            if (which.test(s)) {
                s.references().stream().filter(forbidden).forEach(r -> out.add(s.path() + " -> " + r));
            }
        }
        return out;
    }

    private static List<Source> sources(String module) {
        Path root = repositoryRoot().resolve(module).resolve("src/main/java");
        assertThat(root).as("main sources of %s", module).isDirectory();
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .map(p -> parse(repositoryRoot().relativize(p).toString().replace('\\', '/'), p))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Source parse(String path, Path file) {
        String pkg = "";
        List<String> references = new ArrayList<>();
        boolean inComment = false;
        try {
            for (String raw : Files.readAllLines(file)) {
                String line = raw.trim();
                if (inComment) {
                    int end = line.indexOf("*/");
                    if (end < 0) {
                        continue;
                    }
                    line = line.substring(end + 2).trim();
                    inComment = false;
                }
                if (line.startsWith("/*")) {
                    inComment = !line.contains("*/");
                    continue;
                }
                int comment = line.indexOf("//");
                if (comment >= 0) {
                    line = line.substring(0, comment);
                }
                if (line.startsWith("package ")) {
                    pkg = line.substring("package ".length(), line.indexOf(';')).trim();
                    continue;
                }
                Matcher m = REFERENCE.matcher(line);
                while (m.find()) {
                    references.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Source(path, pkg, references);
    }

    private static Path repositoryRoot() {
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("operators/src/main/java")) && Files.isDirectory(p.resolve("models/src/main/java"))) {
                return p;
            }
        }
        throw new IllegalStateException("repository root not found above " + Paths.get("").toAbsolutePath());
    }
}
