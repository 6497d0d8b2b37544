package io.vlmtagger.jobs.bench;

import io.vlmtagger.jobs.kafka.EmbeddedKafka;

import java.util.Arrays;
import java.util.List;

/**
 * The child JVM's main of {@link BrokerProcess}: starts the in-process KRaft broker
 * ({@link EmbeddedKafka}), creates the topics, prints {@value #READY_PREFIX} and the bootstrap
 * address on one line, and stays up until its standard input closes (the parent closed it, or died).
 *
 * <pre>java -cp ... io.vlmtagger.jobs.bench.BrokerMain PARTITIONS TOPIC...</pre>
 */
public final class BrokerMain {

    static final String READY_PREFIX = "broker-ready bootstrap=";

    private BrokerMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: BrokerMain PARTITIONS TOPIC..., got " + Arrays.toString(args));
        }
        int partitions = Integer.parseInt(args[0]);
        List<String> topics = List.of(args).subList(1, args.length);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(partitions, topics);
            System.out.println(READY_PREFIX + kafka.bootstrapServers());
            System.out.flush();
            while (System.in.read() != -1) {
                // wait for EOF: the parent holds the other end of the pipe
            }
        }
        System.exit(0);
    }
}
