package io.vlmtagger.operators.search.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vlmtagger.operators.search.SearchJobs;
import io.vlmtagger.operators.search.SearchTestData;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class LuceneSinkITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1)
                    // twice what a job needs: a restarted job never waits for slots its failed attempt has
                    // not released yet (seen on loaded CI machines: the slot request timed out after 300 s)
                    .setNumberSlotsPerTaskManager(4).build());

    @TempDir Path dir;

    @Test
    void indexesEveryImageExactlyOnceAcrossAFailureAndRestart() throws Exception {
        long n = 400;
        StreamExecutionEnvironment env = SearchJobs.environment(2, 2);
        SearchJobs.sink(
                SearchJobs.images(env, n, "lucene-restart", 60, 2, SearchTestData::numbered),
                LuceneSink.builder().setIndexDirectory(dir).build(),
                1);

        env.execute("lucene-exactly-once");

        assertThat(SearchJobs.failed("lucene-restart")).as("the injected failure happened").isTrue();
        try (LuceneSearcher searcher = new LuceneSearcher(dir)) {
            assertThat(searcher.count()).isEqualTo(n);
            Set<String> ids = new HashSet<>();
            for (SearchHit hit : searcher.search("circle OR square OR triangle OR star", (int) n + 10)) {
                ids.add(hit.eventId());
            }
            Set<String> expected = LongStream.range(0, n).mapToObj(i -> SearchTestData.numbered(i).getEventId())
                    .collect(Collectors.toSet());
            assertThat(ids).isEqualTo(expected);
            assertThat(searcher.count("red circle")).isPositive();
        }
    }

    @Test
    void refusesToRunWithMoreThanOneWriter() {
        StreamExecutionEnvironment env = SearchJobs.environment(2, 0);
        SearchJobs.sink(
                SearchJobs.images(env, 10, "lucene-parallel", 0, 0, SearchTestData::numbered),
                LuceneSink.builder().setIndexDirectory(dir).build(),
                2);

        assertThatThrownBy(() -> env.execute("lucene-parallel"))
                .satisfies(e -> assertThat(ExceptionUtils.findThrowableWithMessage(e, "LuceneSink needs parallelism 1"))
                        .isPresent());
    }
}
