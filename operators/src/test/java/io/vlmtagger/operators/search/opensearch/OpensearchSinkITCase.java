package io.vlmtagger.operators.search.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vlmtagger.operators.search.CollectingDeadLetterPublisher;
import io.vlmtagger.operators.search.IndexDocumentEmitter;
import io.vlmtagger.operators.search.SearchJobs;
import io.vlmtagger.operators.search.SearchTestData;
import io.vlmtagger.operators.testutils.OpensearchTestNode;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.FailureStage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opensearch.client.opensearch.generic.OpenSearchGenericClient;
import org.opensearch.client.transport.OpenSearchTransport;

/**
 * The OpenSearch sink against a real single-node OpenSearch (started once for the class): exactly
 * N documents after a failure and restart, nothing lost across a cluster outage, and a document the
 * mapping rejects dead-lettered without stalling the job.
 */
class OpensearchSinkITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static OpensearchTestNode node;

    @BeforeAll
    static void startNode() throws Exception {
        Assumptions.assumeFalse(OpensearchTestNode.skipRequested(), "OpenSearch tests skipped by -Dvlm.opensearch.skip=true");
        node = OpensearchTestNode.start();
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private static OpensearchSinkBuilder sink(String alias) {
        return OpensearchSink.builder()
                .setHosts(node.url())
                .setIndexAlias(alias)
                .optIndexShardsAndReplicas(1, 0)
                .optBulkMaxActions(50)
                .optBulkInterval(Duration.ofMillis(100))
                .optRetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .optResponseTimeout(Duration.ofSeconds(10));
    }

    private static Set<String> expectedIds(long n) {
        return LongStream.range(0, n).mapToObj(i -> SearchTestData.numbered(i).getEventId()).collect(Collectors.toSet());
    }

    @Test
    void indexesEveryImageExactlyOnceAcrossAFailureAndRestart() throws Exception {
        long n = 400;
        StreamExecutionEnvironment env = SearchJobs.environment(2, 2);
        SearchJobs.sink(SearchJobs.images(env, n, "os-restart", 60, 2, SearchTestData::numbered),
                sink("restart").build(), 2);

        env.execute("opensearch-exactly-once");

        assertThat(SearchJobs.failed("os-restart")).as("the injected failure happened").isTrue();
        assertThat(node.count("restart")).isEqualTo(n);
        assertThat(Set.copyOf(node.ids("restart"))).isEqualTo(expectedIds(n));
        JsonNode alias = node.request("GET", "/_alias/restart", null);
        assertThat(alias.has("restart-v1")).as("written through alias 'restart' into restart-v1: %s", alias).isTrue();
        JsonNode hit = node.request("GET", "/restart/_search?q=caption:circle&size=1", null).path("hits").path("hits").get(0);
        assertThat(hit.path("_source").path("caption").asText()).contains("circle");
        assertThat(hit.path("_source").path("model").get(0).asText()).isEqualTo("blip2-small");
    }

    @Test
    void losesNothingWhileTheClusterIsDown() throws Exception {
        long n = 600;
        StreamExecutionEnvironment env = SearchJobs.environment(2, 2);
        SearchJobs.sink(SearchJobs.images(env, n, "os-outage", 0, 10, SearchTestData::numbered),
                sink("outage").optDeadLetterPublisher(CollectingDeadLetterPublisher.factory("outage")).build(), 2);
        JobClient job = env.executeAsync("opensearch-outage");

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (countQuietly("outage") < 50 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        long beforeOutage = countQuietly("outage");
        node.stop();
        Thread.sleep(3_000); // the job keeps running: the sink retries and backpressures
        node.restart();

        job.getJobExecutionResult().get(120, TimeUnit.SECONDS);
        assertThat(beforeOutage).as("documents indexed before the outage").isBetween(50L, n - 1);
        assertThat(CollectingDeadLetterPublisher.letters("outage")).as("nothing dead-lettered").isEmpty();
        assertThat(node.count("outage")).isEqualTo(n);
        assertThat(Set.copyOf(node.ids("outage"))).isEqualTo(expectedIds(n));
    }

    @Test
    void deadLettersADocumentTheMappingRejectsAndIndexesTheRest() throws Exception {
        OpensearchSink sink = sink("conflict").optDeadLetterPublisher(CollectingDeadLetterPublisher.factory("conflict")).build();
        try (OpenSearchTransport transport = sink.connection().createTransport()) {
            sink.indexSetup().ensure(new OpenSearchGenericClient(transport));
        }
        // attributes.camera becomes a keyword; a later attributes."camera.model" needs it to be an object.
        EnrichedImage seed = SearchTestData.image("seed", "a seed image", Map.of("camera", "x100"), "seed");
        node.request("PUT", "/conflict/_doc/seed?refresh=true", new IndexDocumentEmitter().toDocument(seed).toJson());

        long n = 100;
        StreamExecutionEnvironment env = SearchJobs.environment(2, 0);
        SearchJobs.sink(SearchJobs.images(env, n, "os-conflict", 0, 0, OpensearchSinkITCase::imageWithOneConflict),
                sink, 2);
        env.execute("opensearch-mapping-conflict");

        List<DeadLetter> letters = CollectingDeadLetterPublisher.letters("conflict");
        assertThat(letters).hasSize(1);
        DeadLetter letter = letters.get(0);
        assertThat(letter.getEventId()).isEqualTo("img-00042");
        assertThat(letter.getStage()).isEqualTo(FailureStage.SINK);
        assertThat(letter.getReason()).isEqualTo("mapping_conflict");
        assertThat(letter.getErrorClass()).isEqualTo("mapper_parsing_exception");
        assertThat(letter.getErrorMessage()).startsWith("HTTP 400").contains("camera");
        assertThat(new String(letter.getOriginalBytes().array())).contains("\"camera.model\":\"d3\"");

        Set<String> expected = expectedIds(n);
        expected = expected.stream().filter(id -> !id.equals("img-00042")).collect(Collectors.toSet());
        assertThat(node.count("conflict")).isEqualTo(n - 1 + 1); // the other 99 and the seed
        assertThat(node.ids("conflict")).contains("seed").containsAll(expected).doesNotContain("img-00042");
    }

    static EnrichedImage imageWithOneConflict(long i) {
        EnrichedImage image = SearchTestData.numbered(i);
        if (i == 42) {
            image.setAttributes(new java.util.HashMap<>(Map.of("camera.model", "d3")));
        }
        return image;
    }

    private static long countQuietly(String alias) {
        try {
            return node.count(alias);
        } catch (RuntimeException e) {
            return 0; // not created yet
        }
    }
}
