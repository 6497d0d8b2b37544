package io.vlmtagger.operators.search.lucene;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP endpoint over the embedded index (JDK HttpServer, no framework):
 *
 * <pre>
 * GET /search?q=red+circle&amp;limit=10  -> 200 {"query":..., "hits":[{"eventId", "score", "caption", "tags", ...}]}
 * GET /health                          -> 200 {"status":"ok","documents":N}
 * </pre>
 *
 * A missing or unparsable {@code q} gives 400 with {@code {"error": ...}}; other methods 405.
 * Run it with {@code SearchHttpServer --index DIR [--port 8088] [--host 127.0.0.1]}.
 */
public final class SearchHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SearchHttpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_LIMIT = 100;

    private final LuceneSearcher searcher;
    private final HttpServer server;
    private final ExecutorService executor;

    private SearchHttpServer(LuceneSearcher searcher, HttpServer server, ExecutorService executor) {
        this.searcher = searcher;
        this.server = server;
        this.executor = executor;
    }

    /** Starts serving; port 0 picks a free port (see {@link #port()}). The caller owns the searcher. */
    public static SearchHttpServer start(LuceneSearcher searcher, InetSocketAddress address) throws IOException {
        HttpServer server = HttpServer.create(address, 0);
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "search-http");
            t.setDaemon(true);
            return t;
        });
        SearchHttpServer s = new SearchHttpServer(searcher, server, executor);
        server.createContext("/search", s::handleSearch);
        server.createContext("/health", s::handleHealth);
        server.setExecutor(executor);
        server.start();
        return s;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handleSearch(HttpExchange exchange) throws IOException {
        try {
            if (!"GET".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, Map.of("error", "only GET is supported"));
                return;
            }
            Map<String, String> params = queryParams(exchange.getRequestURI().getRawQuery());
            String q = params.get("q");
            if (q == null || q.isBlank()) {
                respond(exchange, 400, Map.of("error", "missing query parameter q, e.g. /search?q=red+circle"));
                return;
            }
            int limit;
            try {
                limit = Integer.parseInt(params.getOrDefault("limit", "10"));
            } catch (NumberFormatException e) {
                respond(exchange, 400, Map.of("error", "limit must be a whole number"));
                return;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                respond(exchange, 400, Map.of("error", "limit must be between 1 and " + MAX_LIMIT));
                return;
            }
            List<Map<String, Object>> hits = new ArrayList<>();
            for (SearchHit hit : searcher.search(q, limit)) {
                hits.add(hit.toJsonMap());
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("query", q);
            body.put("hits", hits);
            respond(exchange, 200, body);
        } catch (IllegalArgumentException e) {
            respond(exchange, 400, Map.of("error", e.getMessage()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Search request failed", e);
            respond(exchange, 500, Map.of("error", "search failed: " + e));
        } finally {
            exchange.close();
        }
    }

    private void handleHealth(HttpExchange exchange) throws IOException {
        try (exchange) {
            respond(exchange, 200, Map.of("status", "ok", "documents", searcher.count()));
        }
    }

    private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(bytes);
        }
    }

    static Map<String, String> queryParams(String rawQuery) {
        Map<String, String> params = new HashMap<>();
        if (rawQuery == null) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return params;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** {@code SearchHttpServer [--index DIR] [--port 8088] [--host 127.0.0.1]}; runs until killed. */
    public static void main(String[] args) throws Exception {
        String index = LuceneSink.DEFAULT_INDEX_DIRECTORY;
        String host = "127.0.0.1";
        int port = 8088;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--index" -> index = args[i + 1];
                case "--host" -> host = args[i + 1];
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException(
                        "unknown option " + args[i] + "; usage: SearchHttpServer [--index DIR] [--port N] [--host H]");
            }
        }
        LuceneSearcher searcher = new LuceneSearcher(Paths.get(index));
        SearchHttpServer server = start(searcher, new InetSocketAddress(host, port));
        LOG.info("Serving search over {} at http://{}:{}/search?q=...", index, host, server.port());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            try {
                searcher.close();
            } catch (IOException e) {
                LOG.warn("Closing the searcher failed", e);
            }
        }));
        Thread.currentThread().join();
    }
}
