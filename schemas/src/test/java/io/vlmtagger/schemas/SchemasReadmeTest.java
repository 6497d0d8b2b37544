package io.vlmtagger.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vlmtagger.schemas.serde.Fingerprints;
import io.vlmtagger.schemas.serde.SchemaHistory;
import org.junit.jupiter.api.Test;

/** schemas/README.md tells producers the exact header bytes of every released schema version. */
class SchemasReadmeTest {
    private static final Pattern ROW = Pattern.compile("\\| `(\\w+)` \\| v(\\d+)[^|]*\\| `c3 01 ((?:[0-9a-f]{2} ?){8})` \\|");

    @Test
    void theFingerprintTableListsTheHeaderBytesOfEveryReleasedVersion() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String table = readme.substring(readme.indexOf("<!-- fingerprints:begin"), readme.indexOf("<!-- fingerprints:end"));
        Map<String, String> documented = new LinkedHashMap<>();
        Matcher m = ROW.matcher(table);
        while (m.find()) {
            documented.put(m.group(1) + " v" + m.group(2), m.group(3).replace(" ", ""));
        }
        Map<String, String> shipped = new LinkedHashMap<>();
        for (String record : List.of("ImageEvent", "EnrichedImage", "ChatAnswer", "DeadLetter", "Exemplar")) {
            for (SchemaHistory.Version v : SchemaHistory.of(record)) {
                shipped.put(record + " " + v.label(), Fingerprints.hex(v.fingerprint()));
            }
        }
        assertThat(documented).as("README.md fingerprint table; regenerate the row of a new version")
                .containsExactlyInAnyOrderEntriesOf(shipped);
    }
}
