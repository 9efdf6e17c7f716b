// The Java client's scripted scenario (kafka-clients from Maven Central), run by packages/testkit/src/clients/java.ts
// against any bootstrap address. Prints one JSON object on stdout (see packages/testkit/src/scenario.ts):
//   create topic (Admin, 3 partitions) -> per codec: an idempotent producer (InitProducerId) sends `count` keyed
//   records with headers codec=<codec>, client=java -> a classic-protocol consumer group (FindCoordinator, JoinGroup,
//   SyncGroup) reads them back from the beginning and commits (OffsetCommit) -> ListOffsets earliest/latest ->
//   delete topic.
// Usage: java -cp target/classes:target/lib/* sluice.tools.ClientScenario --bootstrap H:P --topic T --group G
//        [--codecs none,gzip,snappy,lz4,zstd] [--count 3] [--skip-admin] [--assign] [--idempotence true|false]
//        [--configs]
//   --assign: read back with manual assignment (assign + seekToBeginning, no group: no FindCoordinator/JoinGroup/
//   OffsetCommit; committed offsets are then -1). --idempotence false: plain acks=all producer (no InitProducerId).
//   --configs: also DescribeConfigs the topic's retention.ms, IncrementalAlterConfigs it to 3600000, describe again
//   ("configs":{"before":...,"after":...}).
package sluice.tools;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class ClientScenario {
  /** As packages/testkit/src/scenario.ts VALUE_PADDING: makes one-record batches compressible. */
  private static final String VALUE_PADDING = " sluice".repeat(20);

  private ClientScenario() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    for (int i = 0; i < argv.length; i++) {
      String name = argv[i].substring(2);
      if (name.equals("skip-admin") || name.equals("assign") || name.equals("configs")) args.put(name, "true");
      else args.put(name, argv[++i]);
    }
    String bootstrap = args.get("bootstrap");
    String topic = args.get("topic");
    String group = args.getOrDefault("group", topic + "-group");
    String[] codecs = args.getOrDefault("codecs", "none,gzip,snappy,lz4,zstd").split(",");
    int count = Integer.parseInt(args.getOrDefault("count", "3"));
    boolean admin = !args.containsKey("skip-admin");
    boolean assign = args.containsKey("assign");
    String idempotence = args.getOrDefault("idempotence", "true");
    StringBuilder out = new StringBuilder();
    out.append("{\"client\":\"java\",\"clientVersion\":").append(q(clientVersion()));
    out.append(",\"topic\":").append(q(topic));

    Properties common = new Properties();
    common.put("bootstrap.servers", bootstrap);
    common.put("client.id", "sluice-java-scenario");

    if (admin) {
      try (Admin a = Admin.create(common)) {
        a.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
      }
    }
    if (args.containsKey("configs")) {
      try (Admin a = Admin.create(common)) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        String before = a.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource).get("retention.ms").value();
        a.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET))))
            .all().get(30, TimeUnit.SECONDS);
        String after = a.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource).get("retention.ms").value();
        out.append(",\"configs\":{\"before\":").append(q(before)).append(",\"after\":").append(q(after)).append('}');
      }
    }

    out.append(",\"produced\":[");
    boolean first = true;
    for (String codec : codecs) {
      Properties p = new Properties();
      p.putAll(common);
      p.put("compression.type", codec);
      p.put("acks", "all");
      p.put("enable.idempotence", idempotence);
      p.put("linger.ms", "20");
      p.put("key.serializer", StringSerializer.class.getName());
      p.put("value.serializer", StringSerializer.class.getName());
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          List<Header> headers = List.of(
              new RecordHeader("codec", codec.getBytes(StandardCharsets.UTF_8)),
              new RecordHeader("client", "java".getBytes(StandardCharsets.UTF_8)));
          sent.add(producer.send(new ProducerRecord<>(topic, null, codec + "-" + i, "java " + codec + " " + i + VALUE_PADDING, headers)));
        }
        producer.flush();
        for (int i = 0; i < count; i++) {
          RecordMetadata m = sent.get(i).get(30, TimeUnit.SECONDS);
          out.append(first ? "" : ",").append("{\"codec\":").append(q(codec)).append(",\"key\":").append(q(codec + "-" + i))
              .append(",\"partition\":").append(m.partition()).append(",\"offset\":").append(m.offset()).append('}');
          first = false;
        }
      }
    }
    out.append(']');

    Properties c = new Properties();
    c.putAll(common);
    if (!assign) c.put("group.id", group);
    c.put("auto.offset.reset", "earliest");
    c.put("enable.auto.commit", "false");
    c.put("key.deserializer", StringDeserializer.class.getName());
    c.put("value.deserializer", StringDeserializer.class.getName());
    int total = codecs.length * count;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> all = new ArrayList<>();
      for (int p = 0; p < 3; p++) all.add(new TopicPartition(topic, p));
      if (assign) {
        consumer.assign(all);
        consumer.seekToBeginning(all);
      } else {
        consumer.subscribe(List.of(topic));
      }
      List<ConsumerRecord<String, String>> got = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 60_000;
      while (got.size() < total && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) got.add(r);
      }
      if (!assign) consumer.commitSync(Duration.ofSeconds(30));
      out.append(",\"consumed\":[");
      for (int i = 0; i < got.size(); i++) {
        ConsumerRecord<String, String> r = got.get(i);
        out.append(i == 0 ? "" : ",").append("{\"partition\":").append(r.partition()).append(",\"offset\":").append(r.offset())
            .append(",\"key\":").append(q(r.key())).append(",\"value\":").append(q(r.value())).append(",\"headers\":[");
        boolean fh = true;
        for (Header h : r.headers()) {
          out.append(fh ? "" : ",").append('[').append(q(h.key())).append(',')
              .append(q(new String(h.value(), StandardCharsets.UTF_8))).append(']');
          fh = false;
        }
        out.append("]}");
      }
      out.append(']');
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < 3; p++) partitions.add(new TopicPartition(topic, p));
      Map<TopicPartition, Long> earliest = consumer.beginningOffsets(partitions, Duration.ofSeconds(30));
      Map<TopicPartition, Long> latest = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      Map<TopicPartition, OffsetAndMetadata> committed =
          assign ? Map.of() : consumer.committed(new java.util.HashSet<>(partitions), Duration.ofSeconds(30));
      out.append(",\"offsets\":{");
      for (int p = 0; p < 3; p++) {
        TopicPartition tp = partitions.get(p);
        OffsetAndMetadata om = committed.get(tp);
        out.append(p == 0 ? "" : ",").append('"').append(p).append("\":{\"earliest\":").append(earliest.get(tp))
            .append(",\"latest\":").append(latest.get(tp)).append(",\"committed\":").append(om == null ? -1 : om.offset()).append('}');
      }
      out.append('}');
    }

    if (admin) {
      try (Admin a = Admin.create(common)) {
        a.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      }
    }
    out.append(",\"deleted\":").append(admin).append('}');
    System.out.println(out);
  }

  // AppInfoParser moved to common.utils.internals in 4.x; this program runs with a 3.9 client too.
  private static String clientVersion() throws Exception {
    for (String name : new String[] {"org.apache.kafka.common.utils.internals.AppInfoParser", "org.apache.kafka.common.utils.AppInfoParser"}) {
      try {
        return (String) Class.forName(name).getMethod("getVersion").invoke(null);
      } catch (ClassNotFoundException e) {
        // try the next name
      }
    }
    return "unknown";
  }

  private static String q(String s) {
    if (s == null) return "null";
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      if (ch == '"' || ch == '\\') b.append('\\').append(ch);
      else if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
      else b.append(ch);
    }
    return b.append('"').toString();
  }
}
