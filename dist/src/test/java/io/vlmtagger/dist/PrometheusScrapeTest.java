package io.vlmtagger.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusScrapeTest {

    private static final String TEXT = """
            # HELP flink_taskmanager_job_task_operator_inference_batch_size inference_batch_size
            # TYPE flink_taskmanager_job_task_operator_inference_batch_size summary
            flink_taskmanager_job_task_operator_inference_batch_size{job_name="vlm \\"tagger\\"",operator_name="caption",subtask_index="0",quantile="0.5",} 4.0
            flink_taskmanager_job_task_operator_inference_batch_size_count{job_name="vlm \\"tagger\\"",operator_name="caption",subtask_index="0",} 12.0
            flink_taskmanager_job_task_operator_inference_batch_size_count{job_name="vlm \\"tagger\\"",operator_name="caption",subtask_index="1",} 3.0
            flink_taskmanager_job_task_operator_inference_batch_size_count{job_name="vlm \\"tagger\\"",operator_name="fetch",subtask_index="0",} 100.0
            flink_jobmanager_numRegisteredTaskManagers{host="localhost",} 2.0
            flink_taskmanager_Status_JVM_CPU_Load NaN
            """;

    @Test
    void findsSamplesByNameAndLabels() {
        PrometheusScrape scrape = PrometheusScrape.parse(TEXT);

        assertThat(scrape.samples()).hasSize(6);
        assertThat(scrape.sum("flink_taskmanager_job_task_operator_inference_batch_size_count",
                Map.of("operator_name", "caption"))).isEqualTo(15.0);
        PrometheusScrape.Sample median = scrape.find("flink_taskmanager_job_task_operator_inference_batch_size",
                Map.of("quantile", "0.5")).get(0);
        assertThat(median.labels()).containsEntry("job_name", "vlm \"tagger\"").containsEntry("subtask_index", "0");
        assertThat(median.value()).isEqualTo(4.0);
        assertThat(scrape.find("flink_taskmanager_Status_JVM_CPU_Load", Map.of()).get(0).value()).isNaN();
        assertThat(scrape.sum("no_such_metric", Map.of())).isZero();
    }

    @Test
    void refusesWhatIsNotTheTextFormat() {
        assertThatThrownBy(() -> PrometheusScrape.parse("<html>not metrics</html>"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a Prometheus sample line");
    }
}
