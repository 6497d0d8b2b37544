package io.vlmtagger.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A standalone session cluster run from a {@link FlinkHome} the way its docs tell a user to:
 * {@code bin/jobmanager.sh start-foreground}, {@code bin/taskmanager.sh start-foreground} (each a
 * separate JVM), {@code bin/flink ...} for the CLI, all reading one configuration folder
 * ({@code FLINK_CONF_DIR}) and logging to one folder ({@code FLINK_LOG_DIR}). The configuration is
 * the home's {@code conf/config.yaml} with free ports and the test's directories put in.
 */
final class StandaloneCluster implements AutoCloseable {
    private static final Duration CLI_TIMEOUT = Duration.ofMinutes(3);
    private static final Pattern JOB_ID = Pattern.compile("submitted with JobID ([0-9a-f]{32})");
    private static final Pattern PROMETHEUS_PORT = Pattern.compile("Started PrometheusReporter HTTP server on port (\\d+)");

    private final FlinkHome home;
    private final Path confDir;
    private final Path logDir;
    private final int restPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<FlinkProcess> processes = new ArrayList<>();
    private int taskManagersStarted;

    private StandaloneCluster(FlinkHome home, Path confDir, Path logDir, int restPort) {
        this.home = home;
        this.confDir = confDir;
        this.logDir = logDir;
        this.restPort = restPort;
    }

    /**
     * A cluster configuration under {@code workDir}: the home's config.yaml with free ports for the
     * JobManager's RPC and REST endpoints, {@code settings} on top, logs in {@code workDir/log}.
     * Starts nothing yet.
     */
    static StandaloneCluster configure(FlinkHome home, Path workDir, Map<String, String> settings) {
        int restPort = freePort();
        Map<String, String> all = new LinkedHashMap<>();
        all.put("jobmanager.rpc.port", Integer.toString(freePort()));
        all.put("rest.port", Integer.toString(restPort));
        all.putAll(settings);
        Path conf = home.writeConf(workDir.resolve("conf"), all);
        Path log = workDir.resolve("log");
        try {
            Files.createDirectories(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new StandaloneCluster(home, conf, log, restPort);
    }

    URI restEndpoint() {
        return URI.create("http://localhost:" + restPort);
    }

    /** {@code bin/jobmanager.sh start-foreground}; returns once its REST endpoint answers. */
    FlinkProcess startJobManager(Duration timeout) throws InterruptedException {
        FlinkProcess jm = FlinkProcess.start("jobmanager", "standalonesession",
                script("jobmanager.sh", "start-foreground"), logDir);
        processes.add(jm);
        awaitRest("/overview", body -> body.contains("\"taskmanagers\""), timeout, jm);
        return jm;
    }

    /** {@code bin/taskmanager.sh start-foreground}; returns at once (see {@link #awaitTaskManagers}). */
    FlinkProcess startTaskManager() {
        return startTaskManager(Map.of());
    }

    /** {@link #startTaskManager()} with extra environment variables for the script (e.g. FLINK_LIB_DIR). */
    FlinkProcess startTaskManager(Map<String, String> environment) {
        taskManagersStarted++;
        ProcessBuilder b = script("taskmanager.sh", "start-foreground");
        b.environment().putAll(environment);
        FlinkProcess tm = FlinkProcess.start("taskmanager-" + taskManagersStarted, "taskexecutor", b, logDir);
        processes.add(tm);
        return tm;
    }

    /** Waits until the JobManager counts {@code count} registered TaskManagers. */
    void awaitTaskManagers(int count, Duration timeout) throws InterruptedException {
        awaitRest("/overview", body -> body.contains("\"taskmanagers\":" + count + ","), timeout, null);
    }

    /** The port of the Prometheus endpoint {@code process} opened (read from its log). */
    int prometheusPort(FlinkProcess process, Duration timeout) throws InterruptedException {
        return Integer.parseInt(process.awaitLog(PROMETHEUS_PORT, timeout));
    }

    /** Runs {@code bin/flink args...} to its end; fails with its output when it exits non-zero. */
    String flink(String... args) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of(args));
        ProcessBuilder b = script("flink", command.toArray(new String[0]));
        b.redirectErrorStream(true);
        Path out = logDir.resolve("cli-" + System.nanoTime() + ".out");
        b.redirectOutput(out.toFile());
        try {
            Process p = b.start();
            if (!p.waitFor(CLI_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("bin/flink " + String.join(" ", args) + " did not end within "
                        + CLI_TIMEOUT + ": " + Files.readString(out));
            }
            String output = Files.readString(out);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("bin/flink " + String.join(" ", args) + " exited with "
                        + p.exitValue() + ":\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run bin/flink", e);
        }
    }

    /** {@code bin/flink run -d ...}: submits a job and returns its id. */
    String submitDetached(String... runArgs) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("run", "-d"));
        args.addAll(List.of(runArgs));
        String output = flink(args.toArray(new String[0]));
        Matcher m = JOB_ID.matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("bin/flink run printed no job id:\n" + output);
        }
        return m.group(1);
    }

    /** The job's state from the REST API ({@code RUNNING}, {@code RESTARTING}, ...). */
    String jobState(String jobId) {
        String body = get("/jobs/" + jobId);
        Matcher m = Pattern.compile("\"state\":\"([A-Z_]+)\"").matcher(body);
        return m.find() ? m.group(1) : "UNKNOWN: " + body;
    }

    /** Waits until the job is {@code state}. */
    void awaitJobState(String jobId, String state, Duration timeout) throws InterruptedException {
        awaitRest("/jobs/" + jobId, body -> body.contains("\"state\":\"" + state + "\""), timeout, null);
    }

    private void awaitRest(String path, Predicate<String> done, Duration timeout, FlinkProcess watch)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            try {
                last = get(path);
                if (done.test(last)) {
                    return;
                }
            } catch (UncheckedIOException e) {
                last = e.getCause().toString();
            }
            if (watch != null && !watch.isAlive()) {
                throw new IllegalStateException(watch + " exited: " + watch.console());
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("GET " + path + " did not reach the expected state within " + timeout
                + "; last answer: " + last + "; logs in " + logDir);
    }

    String get(String path) {
        return get(restEndpoint().resolve(path));
    }

    String get(URI uri) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: GET " + uri, e);
        }
    }

    private ProcessBuilder script(String script, String... args) {
        List<String> command = new ArrayList<>();
        command.add(home.bin(script).toString());
        command.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(command).directory(home.dir().toFile());
        b.environment().put("FLINK_CONF_DIR", confDir.toString());
        b.environment().put("FLINK_LOG_DIR", logDir.toString());
        b.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return b;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** Stops the TaskManagers, then the JobManager (SIGTERM, SIGKILL after 30 s). */
    @Override
    public void close() throws InterruptedException {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
    }
}
