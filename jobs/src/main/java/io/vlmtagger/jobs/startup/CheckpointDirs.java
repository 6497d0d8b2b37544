package io.vlmtagger.jobs.startup;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateRecoveryOptions;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks Flink's checkpoint, savepoint and recovery paths when they are on the local file system
 * of the JVM that runs the job (plain {@code java}, the local runner): a checkpoint or savepoint
 * directory must be a writable directory, and is created when missing; a recovery path must
 * exist. Other file systems (s3://, hdfs://) and remote clusters are left to Flink.
 */
final class CheckpointDirs {
    private CheckpointDirs() {}

    /** The problems found, one line each (empty when fine). */
    static List<String> problems(ReadableConfig flink) {
        List<String> problems = new ArrayList<>();
        writableDir(flink, CheckpointingOptions.CHECKPOINTS_DIRECTORY, "checkpoint directory", problems);
        writableDir(flink, CheckpointingOptions.SAVEPOINT_DIRECTORY, "savepoint directory", problems);
        flink.getOptional(StateRecoveryOptions.SAVEPOINT_PATH).ifPresent(value -> {
            Path p = localPath(value);
            if (p != null && !Files.exists(p)) {
                problems.add("the checkpoint or savepoint to restore from, " + p + " (" + StateRecoveryOptions.SAVEPOINT_PATH.key()
                        + "), does not exist: give the path of an existing checkpoint (chk-N) or savepoint directory, or unset it to start fresh");
            }
        });
        return problems;
    }

    private static void writableDir(ReadableConfig flink, ConfigOption<String> option, String what, List<String> problems) {
        String value = flink.getOptional(option).orElse(null);
        Path p = value == null ? null : localPath(value);
        if (p == null) {
            return;
        }
        String where = what + " " + p + " (" + option.key() + ")";
        if (Files.exists(p) && !Files.isDirectory(p)) {
            problems.add("the " + where + " is a file, not a directory: point " + option.key() + " at a directory");
            return;
        }
        if (!Files.exists(p)) {
            try {
                Files.createDirectories(p);
            } catch (IOException | SecurityException e) {
                problems.add("the " + where + " does not exist and cannot be created (" + e + "): create it, writable by"
                        + " the job's user (mkdir -p " + p + "), or point " + option.key() + " elsewhere");
                return;
            }
        }
        if (!Files.isWritable(p)) {
            problems.add("the " + where + " is not writable by this user: fix its permissions or point " + option.key()
                    + " elsewhere");
        }
    }

    /** The local path of a Flink path without scheme or with {@code file:}, else null. */
    static Path localPath(String value) {
        URI uri = new org.apache.flink.core.fs.Path(value).toUri();
        if (uri.getScheme() != null && !uri.getScheme().equals("file")) {
            return null;
        }
        return Path.of(uri.getPath());
    }
}
