package io.vlmtagger.operators.search.lucene;

import static io.vlmtagger.operators.search.SearchTestData.image;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchHttpServerTest {
    @TempDir Path dir;
    private LuceneSearcher searcher;
    private SearchHttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void start() throws Exception {
        LuceneIndexFixture.write(dir,
                image("red-1", "a red circle", "red", "circle"),
                image("blue-1", "a blue square", "blue", "square"));
        searcher = new LuceneSearcher(dir);
        server = SearchHttpServer.start(searcher, new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        searcher.close();
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void returnsRankedHitsAsJson() throws Exception {
        HttpResponse<String> response = get("/search?q=red+circle&limit=5");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("query").asText()).isEqualTo("red circle");
        assertThat(body.get("hits")).hasSize(1);
        JsonNode hit = body.get("hits").get(0);
        assertThat(hit.get("eventId").asText()).isEqualTo("red-1");
        assertThat(hit.get("caption").asText()).isEqualTo("a red circle");
        assertThat(hit.get("tags").toString()).isEqualTo("[\"red\",\"circle\"]");
        assertThat(hit.get("score").asDouble()).isPositive();
    }

    @Test
    void decodesPercentEncodedQueries() throws Exception {
        HttpResponse<String> response = get("/search?q=tags%3Asquare");
        assertThat(json.readTree(response.body()).get("hits").get(0).get("eventId").asText()).isEqualTo("blue-1");
    }

    @Test
    void answersBadRequestsWithAnError() throws Exception {
        assertThat(get("/search").statusCode()).isEqualTo(400);
        assertThat(get("/search?q=red&limit=0").statusCode()).isEqualTo(400);
        HttpResponse<String> unparsable = get("/search?q=caption%3A%28red");
        assertThat(unparsable.statusCode()).isEqualTo(400);
        assertThat(json.readTree(unparsable.body()).get("error").asText()).contains("Cannot parse");
        HttpResponse<String> post = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/search?q=red"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void healthReportsTheDocumentCount() throws Exception {
        HttpResponse<String> response = get("/health");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json.readTree(response.body()).get("documents").asInt()).isEqualTo(2);
    }
}
