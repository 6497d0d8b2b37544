package io.vlmtagger.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A JobManager or TaskManager JVM started by {@code bin/jobmanager.sh} / {@code bin/taskmanager.sh
 * start-foreground}. The scripts {@code exec} the JVM, so this process is the JVM itself: {@link
 * #kill()} is a SIGKILL to Flink's process, and its log file carries the process id in its name.
 */
final class FlinkProcess implements AutoCloseable {
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final String name;
    private final String service;
    private final Process process;
    private final Path logDir;
    private final Path consoleFile;

    private FlinkProcess(String name, String service, Process process, Path logDir, Path consoleFile) {
        this.name = name;
        this.service = service;
        this.process = process;
        this.logDir = logDir;
        this.consoleFile = consoleFile;
    }

    /** Starts {@code builder}; its console output goes to {@code <logDir>/<name>.out}. */
    static FlinkProcess start(String name, String service, ProcessBuilder builder, Path logDir) {
        Path console = logDir.resolve(name + ".out");
        builder.redirectErrorStream(true).redirectOutput(console.toFile());
        try {
            return new FlinkProcess(name, service, builder.start(), logDir, console);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + builder.command(), e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Flink's log file of this process ({@code flink-<user>-<service>-<pid>-<host>.log}), once it exists. */
    Optional<Path> logFile() {
        Pattern name = Pattern.compile("flink-.*-" + Pattern.quote(service) + "-" + pid() + "-.*\\.log");
        try (Stream<Path> files = Files.list(logDir)) {
            return files.filter(p -> name.matcher(p.getFileName().toString()).matches()).findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + logDir, e);
        }
    }

    /** The lines of the log file so far (none before it exists). */
    List<String> logLines() {
        Optional<Path> file = logFile();
        if (file.isEmpty()) {
            return List.of();
        }
        try {
            return Files.readAllLines(file.get());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.get(), e);
        }
    }

    /** Lines of the log that contain {@code text}. */
    long countLogLines(String text) {
        return logLines().stream().filter(l -> l.contains(text)).count();
    }

    /** The first group of {@code pattern} in the log, waiting up to {@code timeout} for it to appear. */
    String awaitLog(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : logLines()) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    return m.groupCount() > 0 ? m.group(1) : m.group();
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue()
                        + " before logging /" + pattern + "/; console: " + console());
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " did not log /" + pattern + "/ within " + timeout
                + "; log " + logFile().map(Path::toString).orElse("(none yet)") + ", console " + consoleFile);
    }

    /** SIGKILL: the JVM dies at once, without closing anything (a crashed or OOM-killed TaskManager). */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** What the start script and the JVM printed on the console. */
    String console() {
        try {
            return Files.exists(consoleFile) ? Files.readString(consoleFile) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** SIGTERM (Flink shuts down cleanly), SIGKILL if it is still there after 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }
}
