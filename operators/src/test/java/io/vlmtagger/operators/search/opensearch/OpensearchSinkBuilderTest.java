package io.vlmtagger.operators.search.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OpensearchSinkBuilderTest {
    private static OpensearchSinkBuilder valid() {
        return OpensearchSink.builder().setHosts("https://search-1:9200").setIndexAlias("images");
    }

    @Test
    void buildsWithDefaults() {
        OpensearchSink sink = valid().optBasicAuth("tagger", "s3cret").build();
        assertThat(sink.indexAlias()).isEqualTo("images");
        assertThat(sink.indexSetup().firstIndexName()).isEqualTo("images-v1");
        assertThat(sink.toString()).contains("search-1:9200").contains("password=***").doesNotContain("s3cret");
    }

    @Test
    void explainsWhatToFix() {
        assertThatThrownBy(() -> OpensearchSink.builder().setIndexAlias("images").build())
                .hasMessageContaining("setHosts");
        assertThatThrownBy(() -> OpensearchSink.builder().setHosts("search-1:9200").setIndexAlias("images").build())
                .hasMessageContaining("needs a scheme and port");
        assertThatThrownBy(() -> OpensearchSink.builder().setHosts("http://search-1").setIndexAlias("images").build())
                .hasMessageContaining("has no port");
        assertThatThrownBy(() -> valid().setIndexAlias("Images").build()).hasMessageContaining("lowercase");
        assertThatThrownBy(() -> valid().setIndexAlias("_images").build()).hasMessageContaining("not starting with");
        assertThatThrownBy(() -> valid().optBasicAuth("tagger", null).build()).hasMessageContaining("both a username");
        assertThatThrownBy(() -> valid().optBulkMaxActions(600).optMaxBufferedRequests(500).build())
                .hasMessageContaining("must be larger than optBulkMaxActions");
        assertThatThrownBy(() -> valid().optBulkInterval(Duration.ZERO).build()).hasMessageContaining("optBulkInterval");
        assertThatThrownBy(() -> valid().optMaxItemRetries(-2).build()).hasMessageContaining("optMaxItemRetries");
        assertThatThrownBy(() -> valid().optRetryBackoff(Duration.ofSeconds(5), Duration.ofSeconds(1)).build())
                .hasMessageContaining("at least the initial");
    }

    @Test
    void theIndexTemplateUsesAnAnalyzerEveryInstallHas() {
        String template = valid().build().indexSetup().templateJson();
        assertThat(template)
                .contains("\"index_patterns\":[\"images-*\"]")
                .contains("\"caption\":{\"type\":\"text\",\"analyzer\":\"standard\",\"fields\":{\"keyword\":{\"type\":\"keyword\"")
                .contains("\"tags\":{\"type\":\"keyword\"}")
                .contains("\"eventTime\":{\"type\":\"date\"")
                .doesNotContain("english");
    }
}
