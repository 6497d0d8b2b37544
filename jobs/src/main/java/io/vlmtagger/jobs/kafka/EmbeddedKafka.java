package io.vlmtagger.jobs.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An in-process single-node Kafka cluster (KRaft, combined broker + controller) for the local run
 * and the integration tests, built on Kafka's {@code KafkaClusterTestKit}.
 *
 * <p>Configured for one node: offsets and transaction-state topics with replication 1 and min ISR
 * 1, no initial rebalance delay, and a {@code transaction.max.timeout.ms} of 15 min so that
 * exactly-once sinks may use any {@code transaction.timeout.ms} up to that. {@link #createTopics}
 * waits until every partition has a leader that serves it: producing right after creation otherwise
 * can hit NOT_LEADER_OR_FOLLOWER, and an idempotent producer whose first batch to a partition got
 * that error while a later batch was written retries the first one with OUT_OF_ORDER_SEQUENCE until
 * {@code delivery.timeout.ms} and then fails it (KAFKA-14359).
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Duration LEADER_WAIT = Duration.ofSeconds(30);

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts a broker with the default settings and no topics. */
    public static EmbeddedKafka start() {
        return builder().build();
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Creates the topics (existing ones are left alone) and waits until each partition has a leader. */
    public void createTopics(int partitions, String... topics) {
        createTopics(partitions, List.of(topics));
    }

    public void createTopics(int partitions, Collection<String> topics) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        try (Admin admin = admin()) {
            List<NewTopic> newTopics = new ArrayList<>();
            for (String t : topics) {
                newTopics.add(new NewTopic(t, partitions, (short) 1));
            }
            for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> e :
                    admin.createTopics(newTopics).values().entrySet()) {
                try {
                    e.getValue().get(LEADER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + e.getKey() + ": " + ex.getCause(), ex);
                    }
                }
            }
            awaitLeaders(admin, topics);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics " + topics, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("topics " + topics + " were not created within " + LEADER_WAIT, e);
        }
    }

    /** A new admin client of this cluster; the caller closes it. */
    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return Admin.create(p);
    }

    private static void awaitLeaders(Admin admin, Collection<String> topics) throws InterruptedException {
        long deadline = System.nanoTime() + LEADER_WAIT.toNanos();
        String lastProblem = "no answer yet";
        while (System.nanoTime() < deadline) {
            try {
                Map<String, TopicDescription> d = admin.describeTopics(topics).allTopicNames().get(5, TimeUnit.SECONDS);
                lastProblem = null;
                for (TopicDescription td : d.values()) {
                    for (TopicPartitionInfo p : td.partitions()) {
                        if (p.leader() == null || p.leader().isEmpty() || p.leader().id() < 0) {
                            lastProblem = td.name() + "-" + p.partition() + " has no leader";
                        }
                    }
                }
                if (lastProblem == null) {
                    // the metadata names a leader before the broker's replica manager serves the
                    // partition; ListOffsets is answered by the replica manager itself
                    Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
                    for (TopicDescription td : d.values()) {
                        for (TopicPartitionInfo p : td.partitions()) {
                            latest.put(new TopicPartition(td.name(), p.partition()), OffsetSpec.latest());
                        }
                    }
                    admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
                    return;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                lastProblem = String.valueOf(e.getCause() == null ? e : e.getCause());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("topics " + topics + " have no partition leaders after " + LEADER_WAIT + ": " + lastProblem);
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("embedded Kafka did not shut down cleanly", e);
        }
    }

    /** Builder; everything optional. */
    public static final class Builder {
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private Path baseDirectory;

        private Builder() {
            brokerProperties.put("offsets.topic.replication.factor", "1");
            brokerProperties.put("offsets.topic.num.partitions", "1");
            brokerProperties.put("transaction.state.log.replication.factor", "1");
            brokerProperties.put("transaction.state.log.min.isr", "1");
            brokerProperties.put("transaction.state.log.num.partitions", "1");
            brokerProperties.put("transaction.max.timeout.ms", "900000");
            brokerProperties.put("group.initial.rebalance.delay.ms", "0");
            brokerProperties.put("auto.create.topics.enable", "false");
            brokerProperties.put("num.partitions", "1");
            brokerProperties.put("default.replication.factor", "1");
            brokerProperties.put("min.insync.replicas", "1");
        }

        /** Overrides or adds one broker property. */
        public Builder optBrokerProperty(String key, String value) {
            brokerProperties.put(key, value);
            return this;
        }

        /** Where the logs go; default a temp directory deleted on close. */
        public Builder optBaseDirectory(Path dir) {
            this.baseDirectory = dir;
            return this;
        }

        /** Formats storage, starts the node and waits until the broker is ready. */
        public EmbeddedKafka build() {
            KafkaClusterTestKit kit = null;
            try {
                TestKitNodes.Builder nodes = new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1);
                if (baseDirectory != null) {
                    nodes.setBaseDirectory(baseDirectory);
                }
                KafkaClusterTestKit.Builder b = new KafkaClusterTestKit.Builder(nodes.build());
                brokerProperties.forEach(b::setConfigProp);
                kit = b.build();
                kit.format();
                kit.startup();
                kit.waitForReadyBrokers();
                return new EmbeddedKafka(kit);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closeQuietly(kit);
                throw new IllegalStateException("interrupted while starting the embedded Kafka broker", e);
            } catch (Exception e) {
                closeQuietly(kit);
                throw new IllegalStateException("cannot start the embedded Kafka broker: " + e, e);
            }
        }

        private static void closeQuietly(KafkaClusterTestKit kit) {
            if (kit != null) {
                try {
                    kit.close();
                } catch (Exception ignored) {
                    // already failing; the start error is the one to report
                }
            }
        }
    }
}
