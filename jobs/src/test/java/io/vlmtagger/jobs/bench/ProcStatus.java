package io.vlmtagger.jobs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of a process from Linux {@code /proc/<pid>/status}: {@code VmRSS} and its parts
 * {@code RssAnon} (heap, stacks, malloc, direct buffers) and {@code RssFile} (mapped files: jars,
 * libraries, memory-mapped index files). Values in KiB; -1 where {@code /proc} has no such field.
 */
record ProcStatus(long rssKb, long anonKb, long fileKb) {

    static ProcStatus self() {
        return read(Path.of("/proc/self/status"));
    }

    static ProcStatus of(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "status"));
    }

    static ProcStatus read(Path status) {
        long rss = -1;
        long anon = -1;
        long file = -1;
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    rss = kb(line);
                } else if (line.startsWith("RssAnon:")) {
                    anon = kb(line);
                } else if (line.startsWith("RssFile:")) {
                    file = kb(line);
                }
            }
        } catch (IOException e) {
            return new ProcStatus(-1, -1, -1);
        }
        return new ProcStatus(rss, anon, file);
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
