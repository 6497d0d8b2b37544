package io.vlmtagger.jobs.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a test reads from the MiniCluster's REST API: checkpoint sizes and operator metrics. */
final class FlinkRest {
    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    FlinkRest(Configuration clientConfiguration) {
        this.base = "http://" + clientConfiguration.get(RestOptions.ADDRESS) + ":" + clientConfiguration.get(RestOptions.PORT);
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return json.readTree(r.body());
    }

    /** Completed checkpoints so far and the largest full state size among them (bytes). */
    long[] completedCheckpointsAndMaxStateSize(JobID job) throws IOException, InterruptedException {
        JsonNode stats = get("/jobs/" + job + "/checkpoints");
        return new long[] {stats.path("counts").path("completed").asLong(),
                stats.path("summary").path("state_size").path("max").asLong()};
    }

    /** Every operator metric of the job whose id ends with {@code suffix}, by id (e.g. {@code 0.caption.in_flight_bytes_peak}). */
    Map<String, Long> operatorMetrics(JobID job, String suffix) throws IOException, InterruptedException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (JsonNode vertex : get("/jobs/" + job).path("vertices")) {
            String path = "/jobs/" + job + "/vertices/" + vertex.path("id").asText() + "/metrics";
            StringBuilder ids = new StringBuilder();
            for (JsonNode m : get(path)) {
                String id = m.path("id").asText();
                if (id.endsWith(suffix)) {
                    ids.append(ids.length() == 0 ? "" : ",").append(id);
                }
            }
            if (ids.length() > 0) {
                for (JsonNode m : get(path + "?get=" + ids)) {
                    out.put(m.path("id").asText(), (long) Double.parseDouble(m.path("value").asText()));
                }
            }
        }
        return out;
    }
}
