package io.vlmtagger.operators.testutils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A real single-node OpenSearch for tests, started as a local process from the integ-test zip
 * ({@code org.opensearch.distribution.integ-test-zip:opensearch:<version>:zip}, which the operators
 * pom copies into {@code target/opensearch-dist/}; the local Maven repository is the fallback).
 *
 * <p>The zip is unpacked once per build. The node listens on 127.0.0.1 on free ports, with
 * single-node discovery, a 512 MB heap, disk watermarks off and its own data directory. OpenSearch
 * refuses to run as root, so as root (CI) the runner creates a system user {@value #USER}
 * ({@code useradd}), unpacks under {@code java.io.tmpdir} (where that user can reach it), hands the
 * files to it and starts the node through {@code runuser}. {@link #stop()} and {@link #restart()}
 * keep ports and data, for outage tests. If the node cannot start, {@link #start()} throws with the
 * log tail; tests skip only when {@code -Dvlm.opensearch.skip=true} (see {@link #skipRequested()}).
 */
public final class OpensearchTestNode implements AutoCloseable {
    public static final String VERSION = "2.19.6";
    static final String USER = "opensearch-test";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final Path instanceDir;
    private final int httpPort;
    private final int transportPort;
    private final boolean asRoot;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    private OpensearchTestNode(Path home, Path instanceDir, int httpPort, int transportPort, boolean asRoot) {
        this.home = home;
        this.instanceDir = instanceDir;
        this.httpPort = httpPort;
        this.transportPort = transportPort;
        this.asRoot = asRoot;
    }

    /** True when the build asked to skip OpenSearch tests ({@code -Dvlm.opensearch.skip=true}). */
    public static boolean skipRequested() {
        return Boolean.getBoolean("vlm.opensearch.skip");
    }

    /** Unpacks (once), starts the node and waits until it answers with a green or yellow cluster. */
    public static OpensearchTestNode start() throws IOException {
        boolean asRoot = "root".equals(System.getProperty("user.name"));
        Path base = asRoot
                ? Paths.get(System.getProperty("java.io.tmpdir"), "vlm-opensearch-test")
                : Paths.get("target", "opensearch-node").toAbsolutePath();
        Path home = unpack(findZip(), base);
        if (asRoot) {
            ensureUser();
        }
        Path instance = Files.createDirectories(base.resolve("node-" + UUID.randomUUID().toString().substring(0, 8)));
        Files.createDirectories(instance.resolve("data"));
        Files.createDirectories(instance.resolve("logs"));
        if (asRoot) {
            run(List.of("chown", "-R", USER, home.toString(), instance.toString()));
            instance.getParent().toFile().setExecutable(true, false);
        }
        OpensearchTestNode node = new OpensearchTestNode(home, instance, freePort(), freePort(), asRoot);
        // A test JVM that dies without close() must not leave the node running (its parent is runuser).
        Runtime.getRuntime().addShutdownHook(new Thread(node::stop, "opensearch-test-node-stop"));
        node.startProcess();
        return node;
    }

    public String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the node (SIGTERM, then SIGKILL after 30 s); ports and data stay for {@link #restart()}. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        Path pidFile = instanceDir.resolve("opensearch.pid");
        try {
            if (Files.exists(pidFile)) {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                ProcessHandle.of(pid).ifPresent(h -> {
                    h.destroy();
                    try {
                        h.onExit().get(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        h.destroyForcibly();
                    }
                });
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to killing the launcher
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Starts the node again on the same ports with the same data. */
    public synchronized void restart() throws IOException {
        stop();
        startProcess();
    }

    @Override
    public void close() {
        stop();
        deleteQuietly(instanceDir);
    }

    private synchronized void startProcess() throws IOException {
        List<String> command = new ArrayList<>();
        if (asRoot) {
            command.addAll(List.of("runuser", "-u", USER, "--"));
        }
        command.addAll(List.of(
                "env",
                "OPENSEARCH_JAVA_HOME=" + System.getProperty("java.home"),
                "JAVA_HOME=" + System.getProperty("java.home"),
                "OPENSEARCH_JAVA_OPTS=-Xms512m -Xmx512m -XX:-HeapDumpOnOutOfMemoryError -XX:TieredStopAtLevel=1",
                home.resolve("bin").resolve("opensearch").toString(),
                "-p", instanceDir.resolve("opensearch.pid").toString(),
                "-Ecluster.name=vlm-test",
                "-Enode.name=node-1",
                "-Ediscovery.type=single-node",
                "-Enetwork.host=127.0.0.1",
                "-Ehttp.port=" + httpPort,
                "-Etransport.port=" + transportPort,
                "-Epath.data=" + instanceDir.resolve("data"),
                "-Epath.logs=" + instanceDir.resolve("logs"),
                "-Ecluster.routing.allocation.disk.threshold_enabled=false",
                "-Eaction.destructive_requires_name=false"));
        if (Files.isDirectory(home.resolve("plugins").resolve("opensearch-security"))) {
            command.add("-Eplugins.security.disabled=true");
        }
        Files.deleteIfExists(instanceDir.resolve("opensearch.pid"));
        Path console = instanceDir.resolve("console.log");
        process = new ProcessBuilder(command)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()))
                .start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("OpenSearch " + VERSION + " exited with code " + process.exitValue()
                        + " while starting (" + String.join(" ", command) + ").\n" + logTail(console));
            }
            if (healthy()) {
                return;
            }
            sleep(250);
        }
        stop();
        throw new IOException("OpenSearch " + VERSION + " did not become healthy within " + START_TIMEOUT + " at "
                + url() + ".\n" + logTail(console));
    }

    private boolean healthy() {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(url() + "/_cluster/health")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return false;
            }
            String status = JSON.readTree(r.body()).path("status").asText();
            return "green".equals(status) || "yellow".equals(status);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ---- small REST helpers for assertions ----

    /** Sends a request and returns the parsed JSON answer; fails on HTTP >= 400. */
    public JsonNode request(String method, String path, String jsonBody) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json");
            b.method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 400) {
                throw new IllegalStateException(method + " " + path + " answered HTTP " + r.statusCode() + ": " + r.body());
            }
            return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Refreshes and counts the documents of an index or alias. */
    public long count(String index) {
        request("POST", "/" + index + "/_refresh", null);
        return request("GET", "/" + index + "/_count", null).path("count").asLong();
    }

    /** Refreshes and returns every document id of an index or alias (up to 10 000). */
    public List<String> ids(String index) {
        request("POST", "/" + index + "/_refresh", null);
        JsonNode hits = request("GET", "/" + index + "/_search?size=10000&_source=false", null).path("hits").path("hits");
        List<String> ids = new ArrayList<>();
        hits.forEach(h -> ids.add(h.path("_id").asText()));
        return ids;
    }

    // ---- setup ----

    static Path findZip() throws IOException {
        String name = "opensearch-" + VERSION + ".zip";
        Path copied = Paths.get("target", "opensearch-dist", name);
        if (Files.isRegularFile(copied)) {
            return copied.toAbsolutePath();
        }
        Path m2 = Paths.get(System.getProperty("user.home"), ".m2", "repository", "org", "opensearch", "distribution",
                "integ-test-zip", "opensearch", VERSION, name);
        if (Files.isRegularFile(m2)) {
            return m2;
        }
        throw new IOException("The OpenSearch test distribution is missing: expected " + copied.toAbsolutePath()
                + " (copied by the operators pom in process-test-resources) or " + m2
                + "; run the build through Maven (mvn verify) so it downloads"
                + " org.opensearch.distribution.integ-test-zip:opensearch:" + VERSION + ":zip");
    }

    /** Unpacks the zip under base once (a marker file records completion); returns the home dir. */
    static synchronized Path unpack(Path zip, Path base) throws IOException {
        Path home = base.resolve("opensearch-" + VERSION);
        Path marker = base.resolve(".unpacked-" + VERSION);
        if (Files.exists(marker) && Files.isDirectory(home)) {
            return home;
        }
        deleteQuietly(home);
        Files.createDirectories(base);
        try (ZipFile file = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                Path target = base.resolve(e.getName()).normalize();
                if (!target.startsWith(base)) {
                    throw new IOException("Zip entry outside the target directory: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    try (InputStream in = file.getInputStream(e)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        try (var bin = Files.list(home.resolve("bin"))) {
            bin.forEach(p -> p.toFile().setExecutable(true, false));
        }
        base.toFile().setExecutable(true, false);
        base.toFile().setReadable(true, false);
        Files.writeString(marker, zip.toString());
        return home;
    }

    private static void ensureUser() throws IOException {
        if (run(List.of("id", "-u", USER)) == 0) {
            return;
        }
        int code = run(List.of("useradd", "-r", "-M", "-s", "/usr/sbin/nologin", USER));
        if (code != 0 && run(List.of("id", "-u", USER)) != 0) {
            throw new IOException("OpenSearch refuses to run as root and creating the user " + USER
                    + " failed (useradd exit " + code + "): install the passwd package or run the tests as a non-root user");
        }
    }

    private static int run(List<String> command) throws IOException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within 60 s");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted running " + command, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static String logTail(Path console) {
        try {
            List<String> lines = Files.readAllLines(console, StandardCharsets.UTF_8);
            return "Last lines of " + console + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log at " + console + ")";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: leftovers live under target/ or the temp dir
        }
    }

    @Override
    public String toString() {
        return "OpensearchTestNode[" + url() + "]";
    }
}
