// One member of a classic consumer group (group.protocol=classic), for packages/broker/test/groups-clients.test.ts.
// Subscribes to --topic in --group with --assignor (range | cooperative-sticky | roundrobin), polls, commits
// synchronously after every non-empty poll, and prints one JSON object per line on stdout:
//   {"event":"assignment","partitions":[0,3]}       whenever its assignment changes (after a rebalance)
//   {"event":"record","partition":3,"offset":17}    every record consumed
//   {"event":"closed"}                              after close() (LeaveGroup) when stdin reaches EOF
// The test kills the JVM (SIGKILL) to simulate a crash: the broker must evict it after session.timeout.ms.
// Usage: java -cp 'tools/java/target/lib/*:tools/java/target/classes' sluice.tools.GroupConsumer
//        --bootstrap H:P --topic T --group G --assignor range [--session-timeout-ms 6000]
package sluice.tools;

import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public final class GroupConsumer {
  private GroupConsumer() {}

  public static void main(String[] args) throws Exception {
    String bootstrap = null;
    String topic = null;
    String group = null;
    String assignor = "range";
    String sessionTimeoutMs = "6000";
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--bootstrap" -> bootstrap = args[i + 1];
        case "--topic" -> topic = args[i + 1];
        case "--group" -> group = args[i + 1];
        case "--assignor" -> assignor = args[i + 1];
        case "--session-timeout-ms" -> sessionTimeoutMs = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs);
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
    p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "20000");
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, switch (assignor) {
      case "cooperative-sticky" -> CooperativeStickyAssignor.class.getName();
      case "roundrobin" -> RoundRobinAssignor.class.getName();
      default -> RangeAssignor.class.getName();
    });
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

    AtomicBoolean stop = new AtomicBoolean(false);
    Thread stdin = new Thread(() -> {
      try {
        InputStream in = System.in;
        while (in.read() != -1) {
          // Only EOF matters.
        }
      } catch (Exception ignored) {
        // Treated as EOF.
      }
      stop.set(true);
    });
    stdin.setDaemon(true);
    stdin.start();

    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(Collections.singletonList(topic));
      List<Integer> printed = null;
      while (!stop.get()) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        List<Integer> now = new ArrayList<>();
        for (TopicPartition tp : consumer.assignment()) now.add(tp.partition());
        Collections.sort(now);
        if (!now.equals(printed)) {
          printed = now;
          System.out.println("{\"event\":\"assignment\",\"partitions\":" + now + "}");
          System.out.flush();
        }
        if (records.isEmpty()) continue;
        StringBuilder out = new StringBuilder();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          out.append("{\"event\":\"record\",\"partition\":").append(r.partition())
              .append(",\"offset\":").append(r.offset()).append("}\n");
        }
        try {
          consumer.commitSync();
        } catch (Exception e) {
          // A rebalance began (RebalanceInProgressException / CommitFailedException): the records are delivered
          // again to the partition's next owner; the test sees them twice and fails if it expected once.
          out.append("{\"event\":\"commit-failed\"}\n");
        }
        System.out.print(out);
        System.out.flush();
      }
    }
    System.out.println("{\"event\":\"closed\"}");
    System.out.flush();
  }
}
