package io.vlmtagger.jobs.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** README.md's options table must be the one generated from the option classes. */
class ReadmeOptionsTableTest {

    @Test
    void readmeTableMatchesTheCode() throws Exception {
        Path readme = Path.of(System.getProperty("basedir", ".")).resolve("../README.md").normalize();
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        assertThat(OptionsDocs.extractTable(text))
                .as("README.md options table is stale: run `mvn -q -pl jobs exec:exec "
                        + "-Dexec.mainClass=io.vlmtagger.jobs.config.OptionsDocs -Dargs=README.md` "
                        + "and commit README.md")
                .isEqualTo(OptionsDocs.table().strip());
    }

    @Test
    void replaceTableIsIdempotent() {
        String readme = "# x\n\n" + OptionsDocs.BEGIN + "\nSTALE-ROW\n" + OptionsDocs.END + "\ntail\n";
        String once = OptionsDocs.replaceTable(readme, OptionsDocs.table());
        assertThat(OptionsDocs.replaceTable(once, OptionsDocs.table())).isEqualTo(once);
        assertThat(once).endsWith(OptionsDocs.END + "\ntail\n").doesNotContain("STALE-ROW");
        assertThat(OptionsDocs.table()).contains("| `fetch.max-bytes` | `MemorySize` | 10 mb |")
                .contains("| `kafka.bootstrap-servers` | `String` | localhost:9092 |");
    }
}
