package io.vlmtagger.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassHistogramTest {

    private static final String BEFORE = """
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:         10000         800000  [B (java.base@17.0.15)
               2:          5000         120000  java.lang.String (java.base@17.0.15)
               3:           100           4000  io.example.Gone
            Total         15100         924000
            """;
    private static final String AFTER = """
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:         10500         840000  [B (java.base@17.0.15)
               2:          4000          96000  java.lang.String (java.base@17.0.15)
               3:           300          12000  io.example.Call
            Total         14800         948000
            """;

    @Test
    void parsesRowsAndIgnoresHeaderAndTotal() {
        assertThat(ClassHistogram.parse(BEFORE).totalBytes()).isEqualTo(924000);
    }

    @Test
    void growersAreSortedByByteGrowthIncludingNewAndVanishedClasses() {
        List<ClassHistogram.Growth> g = ClassHistogram.parse(BEFORE).topGrowers(ClassHistogram.parse(AFTER), 10);
        assertThat(g).extracting(ClassHistogram.Growth::className)
                .containsExactly("[B", "io.example.Call", "io.example.Gone", "java.lang.String");
        assertThat(g).extracting(ClassHistogram.Growth::bytes).containsExactly(40000L, 12000L, -4000L, -24000L);
        assertThat(g.get(1).before().instances()).isZero();
        assertThat(g.get(1).after().instances()).isEqualTo(300);
    }

    @Test
    void limitKeepsTheLargest() {
        assertThat(ClassHistogram.parse(BEFORE).topGrowers(ClassHistogram.parse(AFTER), 1))
                .extracting(ClassHistogram.Growth::className).containsExactly("[B");
    }
}
