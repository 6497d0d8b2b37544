package io.vlmtagger.jobs.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vlmtagger.jobs.config.JobConfig;
import io.vlmtagger.jobs.config.JobOptions;
import io.vlmtagger.jobs.config.FlinkOptionKeys;
import io.vlmtagger.operators.stage.InferenceOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.flink.configuration.ExternalResourceOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * There is no Docker engine here, so the deployment files are checked statically: the compose
 * file, the Dockerfiles and the job properties must agree with the pom's versions, with the job's
 * own options and defaults, and with Flink's option names.
 */
class DockerComposeTest {

    private static Path repo;
    private static JsonNode compose;
    private static Map<String, String> flinkProperties;
    private static Properties jobProperties;

    @BeforeAll
    static void load() throws IOException {
        repo = repositoryRoot();
        compose = new ObjectMapper(new YAMLFactory()).readTree(repo.resolve("docker/docker-compose.yml").toFile());
        flinkProperties = parseFlinkProperties(compose.at("/x-flink-properties/FLINK_PROPERTIES").asText());
        jobProperties = new Properties();
        try (var in = Files.newBufferedReader(repo.resolve("docker/job.properties"))) {
            jobProperties.load(in);
        }
    }

    @Test
    void composeHasTheServicesWithHealthChecks() {
        JsonNode services = compose.get("services");
        assertThat(services).isNotNull();
        for (String name : List.of("kafka", "opensearch", "jobmanager", "taskmanager")) {
            assertThat(services.has(name)).as("service %s", name).isTrue();
            assertThat(services.get(name).has("healthcheck")).as("health check of %s", name).isTrue();
        }
        assertThat(services.at("/kafka-init/depends_on/kafka/condition").asText()).isEqualTo("service_healthy");
        assertThat(services.at("/jobmanager/depends_on/kafka-init/condition").asText())
                .isEqualTo("service_completed_successfully");
    }

    @Test
    void imagesMatchThePomVersions() throws Exception {
        Map<String, String> pom = pomProperties();
        String flinkImage = "flink:" + pom.get("flink.version") + "-scala_2.12-java17";
        for (String dockerfile : List.of("docker/Dockerfile", "docker/Dockerfile.cuda")) {
            assertThat(Files.readString(repo.resolve(dockerfile)))
                    .as("%s builds on the Flink version of the pom", dockerfile)
                    .contains("ARG FLINK_IMAGE=" + flinkImage);
        }
        String kafkaImage = "apache/kafka:" + pom.get("kafka.version");
        assertThat(compose.at("/services/kafka/image").asText()).isEqualTo(kafkaImage);
        assertThat(compose.at("/services/kafka-init/image").asText()).isEqualTo(kafkaImage);
        String opensearchMinor = pom.get("opensearch.server.version").replaceAll("^(\\d+\\.\\d+)\\..*", "$1");
        assertThat(compose.at("/services/opensearch/image").asText())
                .startsWith("opensearchproject/opensearch:" + opensearchMinor + ".");
    }

    @Test
    void flinkPropertiesAreRealFlinkOptions() {
        assertThat(notFlinkOptions(flinkProperties.keySet())).isEmpty();
        assertThat(flinkProperties.get("classloader.parent-first-patterns.additional"))
                .as("DJL lives in Flink's lib/: its classes must load parent-first")
                .contains("ai.djl.");
        assertThat(flinkProperties.get("execution.checkpointing.dir"))
                .startsWith("file:///data/checkpoints");
        assertThat(volumeTargets("jobmanager")).contains("/data/checkpoints");
        assertThat(volumeTargets("taskmanager")).contains("/data/checkpoints");
    }

    /**
     * The Flink home that dist/ lays out (and StandaloneClusterITCase runs) and the compose cluster
     * configure the job's side of Flink alike: its conf/config.yaml uses real option keys, and the
     * compose file's FLINK_PROPERTIES carry the same values for what the job relies on.
     */
    @Test
    void composeConfiguresFlinkLikeTheTestedFlinkHome() throws IOException {
        Map<String, String> home = new LinkedHashMap<>();
        for (String line : Files.readAllLines(repo.resolve(DIST_CONFIG))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int colon = line.indexOf(": ");
                assertThat(colon).as("%s line '%s' is a flat 'key: value'", DIST_CONFIG, line).isPositive();
                home.put(line.substring(0, colon).strip(), line.substring(colon + 2).strip());
            }
        }
        assertThat(notFlinkOptions(home.keySet())).as("keys of %s", DIST_CONFIG).isEmpty();
        for (String key : List.of("classloader.parent-first-patterns.additional", "state.backend.type",
                "taskmanager.memory.managed.size", "restart-strategy.type", "metrics.reporter.prom.factory.class")) {
            assertThat(flinkProperties.get(key)).as("%s in docker-compose.yml and %s", key, DIST_CONFIG)
                    .isNotNull().isEqualTo(home.get(key));
        }
        assertThat(home.get("metrics.reporter.prom.factory.class"))
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    }

    private static final String DIST_CONFIG = "dist/src/main/flink/conf/config.yaml";

    /** Keys that are not Flink options or are deprecated, with what to use instead. */
    private static List<String> notFlinkOptions(java.util.Collection<String> keys) {
        FlinkOptionKeys known = FlinkOptionKeys.scan();
        List<String> problems = new ArrayList<>();
        for (String key : keys) {
            if (key.startsWith("external-resource.") || key.startsWith("metrics.reporter.")) {
                continue; // per-resource and per-reporter keys; checked where they are used
            }
            if (known.deprecatedKeys().containsKey(key)) {
                problems.add(key + " is deprecated: use " + known.deprecatedKeys().get(key));
            } else if (!known.keys().contains(key)) {
                problems.add(key + " is not a Flink option");
            }
        }
        return problems;
    }

    @Test
    void gpuResourceIsConfiguredForTheJob() {
        String resource = InferenceOptions.GPU_RESOURCE_NAME.defaultValue();
        assertThat(flinkProperties.get(ExternalResourceOptions.EXTERNAL_RESOURCE_LIST.key())).isEqualTo(resource);
        long amount = Long.parseLong(flinkProperties.get(ExternalResourceOptions.getAmountConfigOptionForResource(resource)));
        assertThat(flinkProperties.get(
                        ExternalResourceOptions.getExternalResourceDriverFactoryConfigOptionForResource(resource)))
                .isEqualTo("org.apache.flink.externalresource.gpu.GPUDriverFactory");
        String paramPrefix = ExternalResourceOptions.getExternalResourceParamConfigPrefixForResource(resource);
        for (String key : flinkProperties.keySet()) {
            if (key.startsWith(paramPrefix)) {
                assertThat(key.substring(paramPrefix.length()))
                        .as("GPU driver parameter %s", key)
                        .isIn("discovery-script.path", "discovery-script.args");
            }
        }
        JsonNode device = compose.at("/services/taskmanager/deploy/resources/reservations/devices/0");
        assertThat(device.get("driver").asText()).isEqualTo("nvidia");
        assertThat(device.get("capabilities").toString()).contains("gpu");
        assertThat(device.get("count").asLong())
                .as("the container reserves at least the GPUs Flink is told about")
                .isGreaterThanOrEqualTo(amount);
        assertThat(Integer.parseInt(flinkProperties.get("taskmanager.numberOfTaskSlots")))
                .as("slots per GPU")
                .isGreaterThanOrEqualTo((int) amount);
    }

    @Test
    void jobPropertiesLoadThroughTheJobsOwnConfigLoader() {
        Map<String, String> raw = new LinkedHashMap<>();
        jobProperties.forEach((k, v) -> raw.put(k.toString(), v.toString()));
        JobConfig config = JobConfig.fromMap(raw); // rejects unknown keys and bad values

        for (var topic : List.of(JobOptions.TOPIC_INPUT, JobOptions.TOPIC_CAPTIONS, JobOptions.TOPIC_CHAT_ANSWERS,
                JobOptions.TOPIC_DEAD_LETTERS, JobOptions.TOPIC_EXEMPLARS)) {
            assertThat(config.get(topic)).as("%s keeps the job's default", topic.key()).isEqualTo(topic.defaultValue());
        }
        assertThat(config.get(JobOptions.MODEL_CAPTION_CHECKPOINT)).startsWith("/models/");
        assertThat(config.get(JobOptions.MODEL_CHAT_CHECKPOINT)).startsWith("/models/");
        assertThat(volumeTargets("taskmanager")).contains("/models");
    }

    @Test
    void topicsCreatedAreTheTopicsTheJobUses() throws IOException {
        String script = Files.readString(repo.resolve("docker/create-topics.sh"));
        Matcher m = Pattern.compile("for topic in ([^;]+); do").matcher(script);
        assertThat(m.find()).as("create-topics.sh lists its topics in one for loop").isTrue();
        List<String> created = List.of(m.group(1).trim().split("\\s+"));
        List<String> used = new ArrayList<>();
        for (String key : List.of("topic.input", "topic.captions", "topic.chat-answers", "topic.dead-letters",
                "topic.exemplars")) {
            used.add(jobProperties.getProperty(key));
        }
        assertThat(created).containsExactlyInAnyOrderElementsOf(used);
    }

    @Test
    void endpointsAgreeAcrossServices() {
        String bootstrap = jobProperties.getProperty("kafka.bootstrap-servers");
        assertThat(compose.at("/services/kafka/environment/KAFKA_ADVERTISED_LISTENERS").asText())
                .contains("PLAINTEXT://" + bootstrap);
        assertThat(compose.at("/services/kafka-init/environment/BOOTSTRAP_SERVERS").asText()).isEqualTo(bootstrap);
        assertThat(jobProperties.getProperty("search.opensearch.hosts")).isEqualTo("http://opensearch:9200");
        assertThat(compose.at("/services/opensearch/ports").toString()).contains("9200:9200");
        assertThat(compose.at("/services/jobmanager/ports").toString()).contains("8081:8081");
    }

    @Test
    void jobManagerRunsTheJobClassWithTheMountedProperties() throws Exception {
        String command = compose.at("/services/jobmanager/command").asText();
        Matcher cls = Pattern.compile("--job-classname\\s+(\\S+)").matcher(command);
        assertThat(cls.find()).isTrue();
        assertThat(Class.forName(cls.group(1)).getMethod("main", String[].class)).isNotNull();
        Matcher cfg = Pattern.compile("--" + JobConfig.CONFIG_FILE_ARG + "\\s+(\\S+)").matcher(command);
        assertThat(cfg.find()).isTrue();
        assertThat(volumeTargets("jobmanager")).contains(cfg.group(1));
    }

    /** The images take the job jar and the extra lib/ jars from the Flink home dist/ lays out and tests. */
    @Test
    void dockerfilesCopyWhatTheDistModuleBuilds() throws IOException {
        assertThat(Files.readString(repo.resolve("jobs/pom.xml")))
                .contains("<shadedClassifierName>job</shadedClassifierName>");
        assertThat(Files.readString(repo.resolve("dist/pom.xml")))
                .contains("<outputDirectory>${project.build.directory}/extra-lib</outputDirectory>")
                .contains("<finalName>vlm-tagger-flink</finalName>");
        assertThat(Files.readString(repo.resolve("dist/src/assembly/flink-home.xml")))
                .contains("<outputDirectory>usrlib</outputDirectory>")
                .contains("<destName>vlm-tagger-job.jar</destName>");
        for (String dockerfile : List.of("docker/Dockerfile", "docker/Dockerfile.cuda")) {
            String text = Files.readString(repo.resolve(dockerfile));
            assertThat(text).as(dockerfile).contains("-DskipTests package")
                    .contains("dist/target/vlm-tagger-flink/usrlib/vlm-tagger-job.jar")
                    .contains("dist/target/extra-lib/*.jar").contains("/opt/flink/lib/").contains("/opt/flink/usrlib/")
                    .doesNotContain("-Pdist");
        }
    }

    private static List<String> volumeTargets(String service) {
        List<String> targets = new ArrayList<>();
        for (JsonNode v : compose.at("/services/" + service + "/volumes")) {
            // short syntax SOURCE:TARGET[:MODE]; SOURCE may be ${VAR:-default}
            String[] parts = v.asText().replaceAll("\\$\\{[^}]*}", "VAR").split(":");
            targets.add(parts[1]);
        }
        return targets;
    }

    private static Map<String, String> parseFlinkProperties(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.strip().startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            assertThat(colon).as("FLINK_PROPERTIES line '%s' is 'key: value'", line).isPositive();
            map.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
        }
        return map;
    }

    private static Map<String, String> pomProperties() throws Exception {
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(repo.resolve("pom.xml").toFile());
        var props = doc.getElementsByTagName("properties").item(0).getChildNodes();
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < props.getLength(); i++) {
            var node = props.item(i);
            if (node.getNodeType() == org.w3c.dom.Node.ELEMENT_NODE) {
                map.put(node.getNodeName(), node.getTextContent().strip());
            }
        }
        return map;
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docker/docker-compose.yml"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("repository root with docker/docker-compose.yml").isNotNull();
        return dir;
    }
}
