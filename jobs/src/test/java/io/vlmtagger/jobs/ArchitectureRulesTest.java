package io.vlmtagger.jobs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * Serving files that still use training code: the local runner builds placeholder checkpoints
     * with it. They move with the training code into its own module (issue 18); this list may only
     * shrink.
     */
    private static final List<String> TRAINING_USERS_TO_MOVE = List.of(
            "jobs/src/main/java/io/vlmtagger/jobs/local/");

    /** A main source file, its module-relative path and the packages it references. */
    private record Source(String path, String pkg, List<String> references) {
        boolean in(String packagePrefix) {
            return pkg.equals(packagePrefix) || pkg.startsWith(packagePrefix + ".");
        }

        List<String> referencesTo(String packagePrefix) {
            return references.stream().filter(r -> r.equals(packagePrefix) || r.startsWith(packagePrefix + ".")).toList();
        }
    }

    @Test
    void operatorsSeeModelsOnlyThroughTheApi() {
        List<String> offenders = new ArrayList<>();
        for (Source s : sources("operators")) {
            s.referencesTo("io.vlmtagger.models").stream()
                    .filter(r -> !r.startsWith("io.vlmtagger.models.api"))
                    .forEach(r -> offenders.add(s.path() + " -> " + r));
        }
        assertThat(offenders).as("operators reaching past models.api").isEmpty();
    }

    @Test
    void theRuntimeImportsNoStageNoFlinkAndNoRecords() {
        List<String> offenders = new ArrayList<>();
        for (Source s : sources("operators")) {
            if (!s.in("io.vlmtagger.operators.runtime")) {
                continue;
            }
            for (String r : s.references()) {
                boolean otherOperatorsPackage = r.startsWith("io.vlmtagger.operators.")
                        && !r.startsWith("io.vlmtagger.operators.runtime");
                if (otherOperatorsPackage || r.startsWith("org.apache.flink") || r.startsWith("io.vlmtagger.schemas")
                        || r.startsWith("io.vlmtagger.jobs")) {
                    offenders.add(s.path() + " -> " + r);
                }
            }
        }
        assertThat(offenders).as("operators.runtime must know no stage, no Flink and no records").isEmpty();
    }

    @Test
    void stagesDoNotImportEachOther() {
        List<String> stages = List.of("io.vlmtagger.operators.caption", "io.vlmtagger.operators.chat",
                "io.vlmtagger.operators.fewshot");
        List<String> offenders = new ArrayList<>();
        for (Source s : sources("operators")) {
            for (String stage : stages) {
                if (s.in(stage)) {
                    stages.stream().filter(other -> !other.equals(stage))
                            .flatMap(other -> s.referencesTo(other).stream())
                            .forEach(r -> offenders.add(s.path() + " -> " + r));
                }
            }
        }
        assertThat(offenders).as("a stage shares code through runtime/ or stage/, not through another stage").isEmpty();
    }

    @Test
    void servingCodeNeverImportsTrainingCode() {
        List<String> offenders = new ArrayList<>();
        for (String module : List.of("schemas", "models", "operators", "jobs")) {
            for (Source s : sources(module)) {
                if (s.in("io.vlmtagger.models.train") || s.in("io.vlmtagger.models.dataset")
                        || s.in("io.vlmtagger.training") || TRAINING_USERS_TO_MOVE.stream().anyMatch(s.path()::startsWith)) {
                    continue;
                }
                Stream.of("io.vlmtagger.models.train", "io.vlmtagger.models.dataset", "io.vlmtagger.training")
                        .flatMap(p -> s.referencesTo(p).stream())
                        .forEach(r -> offenders.add(s.path() + " -> " + r));
            }
        }
        assertThat(offenders).as("serving code using training code").isEmpty();
    }

    @Test
    void modulesOnlyLookDown() {
        List<String> offenders = new ArrayList<>();
        for (Source s : sources("schemas")) {
            Stream.of("io.vlmtagger.models", "io.vlmtagger.operators", "io.vlmtagger.jobs")
                    .flatMap(p -> s.referencesTo(p).stream()).forEach(r -> offenders.add(s.path() + " -> " + r));
        }
        for (Source s : sources("models")) {
            Stream.of("io.vlmtagger.schemas", "io.vlmtagger.operators", "io.vlmtagger.jobs", "org.apache.flink")
                    .flatMap(p -> s.referencesTo(p).stream()).forEach(r -> offenders.add(s.path() + " -> " + r));
        }
        for (Source s : sources("operators")) {
            s.referencesTo("io.vlmtagger.jobs").forEach(r -> offenders.add(s.path() + " -> " + r));
        }
        assertThat(offenders).as("jobs > operators > models, schemas; models free of Flink and of schemas").isEmpty();
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
