// Transactions with the Java client for the broker's transaction tests (packages/broker/test/transactions-java.test.ts).
// Usage:
//   TransactionalProducer produce <bootstrap> <topic> <partitions> <transactionalId> <plan> <timeoutMs>
//     one transaction per letter of <plan> (c: commit, a: abort), each sending <partitions> x 2 records
//     "<transactionalId>-<k>-<i>" (k = the transaction's index), printing "committed <k>" / "aborted <k>", then
//     "done". With a trailing "h" the last transaction is sent and flushed, "open" is printed, and the program
//     waits to be killed (a transaction left open; transaction.timeout.ms = <timeoutMs>).
//   TransactionalProducer consume <bootstrap> <topic> <partitions> <read_committed|read_uncommitted>
//     manual assignment of every partition from the beginning, reading up to the end offsets the consumer sees
//     (the lastStableOffset under read_committed); prints "record <value>" per record, then "done".
//   TransactionalProducer copy <bootstrap> <input> <output> <partitions> <transactionalId> <group>
//     consume-transform-produce: reads <input> (manual assignment, read_committed, from <group>'s committed
//     offsets), and per poll writes "copy-<value>" to the same partition of <output> and the consumed offsets
//     (sendOffsetsToTransaction) in one transaction; prints "committed <n>" per transaction; "done" once the input
//     is consumed to its end.
package sluice.tools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class TransactionalProducer {
  public static void main(String[] args) throws Exception {
    if (args[0].equals("produce")) produce(args);
    else if (args[0].equals("copy")) copy(args);
    else consume(args);
  }

  private static void produce(String[] args) throws Exception {
    String topic = args[2];
    int partitions = Integer.parseInt(args[3]);
    String id = args[4];
    String plan = args[5];
    Properties p = new Properties();
    p.put("bootstrap.servers", args[1]);
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    p.put("transactional.id", id);
    p.put("transaction.timeout.ms", args[6]);
    p.put("max.block.ms", "30000");
    p.put("retry.backoff.ms", "50");
    KafkaProducer<String, String> producer = new KafkaProducer<>(p);
    producer.initTransactions();
    for (int k = 0; k < plan.length(); k++) {
      producer.beginTransaction();
      for (int i = 0; i < partitions * 2; i++) {
        producer.send(new ProducerRecord<>(topic, i % partitions, null, id + "-" + k + "-" + i));
      }
      char step = plan.charAt(k);
      if (step == 'c') {
        producer.commitTransaction();
        System.out.println("committed " + k);
      } else if (step == 'a') {
        // Flushed first: abortTransaction drops batches not yet sent, and the test wants aborted records in the log.
        producer.flush();
        producer.abortTransaction();
        System.out.println("aborted " + k);
      } else {
        producer.flush();
        System.out.println("open " + k);
        System.out.flush();
        Thread.sleep(600_000);
      }
      System.out.flush();
    }
    producer.close();
    System.out.println("done");
    System.out.flush();
  }

  private static void copy(String[] args) throws Exception {
    String input = args[2];
    String output = args[3];
    int partitions = Integer.parseInt(args[4]);
    Properties pp = new Properties();
    pp.put("bootstrap.servers", args[1]);
    pp.put("key.serializer", StringSerializer.class.getName());
    pp.put("value.serializer", StringSerializer.class.getName());
    pp.put("transactional.id", args[5]);
    pp.put("retry.backoff.ms", "50");
    Properties cp = new Properties();
    cp.put("bootstrap.servers", args[1]);
    cp.put("key.deserializer", StringDeserializer.class.getName());
    cp.put("value.deserializer", StringDeserializer.class.getName());
    cp.put("isolation.level", "read_committed");
    cp.put("enable.auto.commit", "false");
    cp.put("auto.offset.reset", "earliest");
    cp.put("group.id", args[6]);
    cp.put("max.poll.records", "10");
    List<TopicPartition> tps = new ArrayList<>();
    for (int i = 0; i < partitions; i++) tps.add(new TopicPartition(input, i));
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp);
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
      producer.initTransactions();
      consumer.assign(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      int n = 0;
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline) {
        boolean reached = true;
        for (TopicPartition tp : tps) if (consumer.position(tp) < end.get(tp)) reached = false;
        if (reached) break;
        var records = consumer.poll(Duration.ofMillis(200));
        if (records.isEmpty()) continue;
        producer.beginTransaction();
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets = new java.util.HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
          producer.send(new ProducerRecord<>(output, r.partition(), null, "copy-" + r.value()));
          offsets.put(
              new TopicPartition(r.topic(), r.partition()),
              new org.apache.kafka.clients.consumer.OffsetAndMetadata(r.offset() + 1));
        }
        producer.flush();
        // 20 ms inside every transaction: a kill lands mid-transaction with some probability, not by design.
        Thread.sleep(20);
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
        producer.commitTransaction();
        System.out.println("committed " + (++n));
        System.out.flush();
      }
    }
    System.out.println("done");
    System.out.flush();
  }

  private static void consume(String[] args) {
    String topic = args[2];
    int partitions = Integer.parseInt(args[3]);
    Properties p = new Properties();
    p.put("bootstrap.servers", args[1]);
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    p.put("isolation.level", args[4]);
    p.put("enable.auto.commit", "false");
    List<TopicPartition> tps = new ArrayList<>();
    for (int i = 0; i < partitions; i++) tps.add(new TopicPartition(topic, i));
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline) {
        boolean reached = true;
        for (TopicPartition tp : tps) if (consumer.position(tp) < end.get(tp)) reached = false;
        if (reached) break;
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          System.out.println("record " + r.value());
        }
      }
    }
    System.out.println("done");
    System.out.flush();
  }
}
