package io.vlmtagger.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeapResidencyTest {

    @Test
    void sumsRssOfTheMappingsInsideTheHeapRangeOnly() throws Exception {
        String smaps = """
                55d0a0000000-55d0a0001000 r-xp 00000000 08:01 123 /usr/bin/java
                Size:                  4 kB
                Rss:                   4 kB
                c0000000-c8c00000 rw-p 00000000 00:00 0
                Size:             143360 kB
                Rss:              138652 kB
                Pss:              138652 kB
                c8c00000-100000000 ---p 00000000 00:00 0
                Size:             905216 kB
                Rss:                   0 kB
                100000000-100100000 rw-p 00000000 00:00 0
                Size:               1024 kB
                Rss:                 512 kB
                """;
        Path file = Files.writeString(dir.resolve("smaps"), smaps);
        assertThat(new HeapResidency(0xc0000000L, 0x100000000L).residentKb(file)).isEqualTo(138652);
    }

    @Test
    void thisJvmsHeapIsFoundAndPartlyResident() {
        long kb = HeapResidency.locate().residentKb();
        assertThat(kb).isPositive();
        assertThat(kb).isLessThanOrEqualTo(HeapResidency.locate().reservedKb());
    }

    @Test
    void rangeSpansEveryAddressTheCollectorPrints() {
        String g1 = " garbage-first heap   total 143360K, used 41234K [0x00000000c0000000, 0x0000000100000000)\n"
                + "  region size 1024K, 3 young (3072K), 0 survivors (0K)\n Metaspace       used 80000K\n";
        assertThat(HeapResidency.fromHeapInfo(g1).reservedKb()).isEqualTo(1024 * 1024);
        String parallel = " PSYoungGen      total 113152K, used 59314K [0x00000007c0000000, 0x00000007c7e00000, 0x0000000800000000)\n"
                + " ParOldGen       total 258048K, used 0K [0x0000000740000000, 0x000000074fc00000, 0x00000007c0000000)\n";
        assertThat(HeapResidency.fromHeapInfo(parallel).reservedKb()).isEqualTo(3L * 1024 * 1024);
    }

    @TempDir
    Path dir;
}
