package io.vlmtagger.operators.fetch;

import org.apache.flink.configuration.ReadableConfig;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@link ImageFetcher} may read and how long it may take. Serializable, so a Flink function can
 * carry it and build the fetcher in {@code open()}. Nothing is allowed by default: name the roots
 * for {@code file://}, the hosts for {@code http(s)://}.
 *
 * <pre>{@code
 * FetcherOptions.builder().optAllowedRoot(Path.of("/data/images"))
 *     .optAllowedHost("images.example.org").optAllowedHost("*.cdn.example.org")
 *     .optMaxBytes(20 << 20).optReadTimeout(Duration.ofSeconds(10)).build();
 * }</pre>
 */
public final class FetcherOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final Set<String> SUPPORTED_SCHEMES = Set.of("file", "http", "https");

    private final List<String> allowedRoots;
    private final Set<String> allowedHosts;
    private final Set<String> allowedSchemes;
    private final long connectTimeoutMs;
    private final long readTimeoutMs;
    private final long maxBytes;
    private final int maxRedirects;
    private final int fileReadThreads;
    private final int capacity;
    private final long maxInFlightBytes;

    private FetcherOptions(Builder b) {
        this.allowedRoots = List.copyOf(b.allowedRoots);
        this.allowedHosts = Set.copyOf(b.allowedHosts);
        this.allowedSchemes = Set.copyOf(b.allowedSchemes);
        this.connectTimeoutMs = b.connectTimeout.toMillis();
        this.readTimeoutMs = b.readTimeout.toMillis();
        this.maxBytes = b.maxBytes;
        this.maxRedirects = b.maxRedirects;
        this.fileReadThreads = b.fileReadThreads;
        this.capacity = b.capacity;
        this.maxInFlightBytes = b.maxInFlightBytes;
    }

    /**
     * The {@link FetchOptions} of a job configuration: allow-lists, size cap, the timeout for the
     * whole exchange (connecting gets at most 2 s of it), capacity and in-flight bytes.
     */
    public static FetcherOptions fromConfig(ReadableConfig config) {
        Duration timeout = config.get(FetchOptions.TIMEOUT);
        Builder b = builder()
                .optAllowedSchemes(new LinkedHashSet<>(config.get(FetchOptions.ALLOWED_SCHEMES)))
                .optMaxBytes(config.get(FetchOptions.MAX_BYTES).getBytes())
                .optReadTimeout(timeout)
                .optConnectTimeout(timeout.compareTo(Duration.ofSeconds(2)) < 0 ? timeout : Duration.ofSeconds(2))
                .optCapacity(config.get(FetchOptions.CAPACITY))
                .optMaxInFlightBytes(config.get(FetchOptions.MAX_IN_FLIGHT_BYTES).getBytes());
        for (String root : config.getOptional(FetchOptions.ALLOWED_ROOTS).orElse(List.of())) {
            b.optAllowedRoot(Path.of(root));
        }
        for (String host : config.getOptional(FetchOptions.ALLOWED_HOSTS).orElse(List.of())) {
            b.optAllowedHost(host);
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<Path> allowedRoots() {
        List<Path> roots = new ArrayList<>();
        for (String r : allowedRoots) {
            roots.add(Path.of(r));
        }
        return roots;
    }

    public Set<String> allowedHosts() {
        return allowedHosts;
    }

    public Set<String> allowedSchemes() {
        return allowedSchemes;
    }

    public Duration connectTimeout() {
        return Duration.ofMillis(connectTimeoutMs);
    }

    /** The whole HTTP exchange (headers and body) and each file read must finish within this. */
    public Duration readTimeout() {
        return Duration.ofMillis(readTimeoutMs);
    }

    public long maxBytes() {
        return maxBytes;
    }

    public int maxRedirects() {
        return maxRedirects;
    }

    public int fileReadThreads() {
        return fileReadThreads;
    }

    /** Fetches in flight per subtask (the async operator's capacity). */
    public int capacity() {
        return capacity;
    }

    /** Bytes of images one fetch subtask holds in flight (see {@link FetchOptions#MAX_IN_FLIGHT_BYTES}). */
    public long maxInFlightBytes() {
        return maxInFlightBytes;
    }

    /** Exact host names, or {@code *.suffix} for any subdomain of suffix (not suffix itself). */
    public boolean isHostAllowed(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        for (String allowed : allowedHosts) {
            if (allowed.startsWith("*.") ? h.endsWith(allowed.substring(1)) : h.equals(allowed)) {
                return true;
            }
        }
        return false;
    }

    /** Builder: every setting is optional; an empty allow-list allows nothing. */
    public static final class Builder {
        private final List<String> allowedRoots = new ArrayList<>();
        private final Set<String> allowedHosts = new LinkedHashSet<>();
        private final Set<String> allowedSchemes = new LinkedHashSet<>(List.of("file", "https"));
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration readTimeout = Duration.ofSeconds(10);
        private long maxBytes = 20L * 1024 * 1024;
        private int maxRedirects = 3;
        private int fileReadThreads = 2;
        private int capacity = FetchOptions.CAPACITY.defaultValue();
        private long maxInFlightBytes = FetchOptions.MAX_IN_FLIGHT_BYTES.defaultValue().getBytes();

        private Builder() {}

        /** A directory {@code file://} URIs may point into (after resolving {@code ..} and symlinks). */
        public Builder optAllowedRoot(Path root) {
            allowedRoots.add(root.toAbsolutePath().normalize().toString());
            return this;
        }

        public Builder optAllowedHost(String host) {
            allowedHosts.add(host.toLowerCase(Locale.ROOT));
            return this;
        }

        /** Replaces the scheme allow-list (default {@code file}, {@code https}; add {@code http} explicitly). */
        public Builder optAllowedSchemes(Set<String> schemes) {
            allowedSchemes.clear();
            for (String s : schemes) {
                allowedSchemes.add(s.toLowerCase(Locale.ROOT));
            }
            return this;
        }

        public Builder optConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder optReadTimeout(Duration readTimeout) {
            this.readTimeout = readTimeout;
            return this;
        }

        public Builder optMaxBytes(long maxBytes) {
            this.maxBytes = maxBytes;
            return this;
        }

        public Builder optMaxRedirects(int maxRedirects) {
            this.maxRedirects = maxRedirects;
            return this;
        }

        public Builder optFileReadThreads(int fileReadThreads) {
            this.fileReadThreads = fileReadThreads;
            return this;
        }

        public Builder optCapacity(int capacity) {
            this.capacity = capacity;
            return this;
        }

        public Builder optMaxInFlightBytes(long maxInFlightBytes) {
            this.maxInFlightBytes = maxInFlightBytes;
            return this;
        }

        public FetcherOptions build() {
            for (String s : allowedSchemes) {
                if (!SUPPORTED_SCHEMES.contains(s)) {
                    throw new IllegalArgumentException("optAllowedSchemes: '" + s + "' is not supported; use "
                            + SUPPORTED_SCHEMES);
                }
            }
            if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()
                    || readTimeout == null || readTimeout.isNegative() || readTimeout.isZero()) {
                throw new IllegalArgumentException("optConnectTimeout and optReadTimeout must be positive durations");
            }
            if (maxBytes <= 0 || maxBytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("optMaxBytes must be in 1.." + (Integer.MAX_VALUE - 8) + ", got "
                        + maxBytes);
            }
            if (maxRedirects < 0 || fileReadThreads < 1 || capacity < 1 || maxInFlightBytes < 1) {
                throw new IllegalArgumentException("optMaxRedirects must be >= 0 and optFileReadThreads, optCapacity"
                        + " (" + FetchOptions.CAPACITY.key() + ") and optMaxInFlightBytes ("
                        + FetchOptions.MAX_IN_FLIGHT_BYTES.key() + ") >= 1");
            }
            for (String h : allowedHosts) {
                if (h.isBlank() || h.equals("*") || h.equals("*.")) {
                    throw new IllegalArgumentException("optAllowedHost: '" + h
                            + "' would allow every host; name hosts or *.domain");
                }
            }
            return new FetcherOptions(this);
        }
    }
}
