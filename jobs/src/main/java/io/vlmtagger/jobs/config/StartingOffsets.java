package io.vlmtagger.jobs.config;

import java.util.Locale;

/** Where the job starts reading the input topic when its consumer group has no committed offset. */
public enum StartingOffsets {
    EARLIEST,
    LATEST;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
