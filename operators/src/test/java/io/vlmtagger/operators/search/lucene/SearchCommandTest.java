package io.vlmtagger.operators.search.lucene;

import static io.vlmtagger.operators.search.SearchTestData.image;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchCommandTest {
    @TempDir Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return SearchCommand.run(args,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void printsRankedHitsWithCaptionTagsAndScore() throws Exception {
        LuceneIndexFixture.write(dir,
                image("red-1", "a red circle", "red", "circle"),
                image("blue-1", "a blue square", "blue", "square"),
                image("red-2", "a red square", "red", "square"));

        int code = run("red circle", "--index", dir.toString(), "--limit", "5");

        assertThat(code).isZero();
        String[] lines = out.toString(StandardCharsets.UTF_8).stripTrailing().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).matches(" 1\\. \\d+\\.\\d{4}  red-1  \"a red circle\"  tags=\\[red, circle\\]");
        assertThat(lines[1]).startsWith(" 2. ").contains("red-2");
    }

    @Test
    void saysSoWhenNothingMatches() throws Exception {
        LuceneIndexFixture.write(dir, image("a", "a red circle"));
        assertThat(run("zebra", "--index", dir.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("No hits for: zebra");
    }

    @Test
    void badArgumentsExitWithTwoAndUsage() {
        assertThat(run("--index", dir.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no query given").contains("usage: search");
        assertThat(run("red", "--limit", "many", "--index", dir.toString())).isEqualTo(2);
    }

    @Test
    void aMissingIndexExitsWithOneAndSaysWhere() {
        assertThat(run("red", "--index", dir.resolve("nope").toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("No search index at").contains("nope");
    }
}
