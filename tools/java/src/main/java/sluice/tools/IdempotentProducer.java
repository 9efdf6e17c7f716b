// An idempotent Java producer (kafka-clients' defaults: enable.idempotence=true, acks=all) for the broker's
// idempotence tests (packages/broker/test/idempotence-clients.test.ts): sends <count> records "<prefix>-<i>" to
// partition i % <partitions> of <topic>, paced at 50 records per 10 ms, retrying through broker restarts, and
// prints "ack <partition> <offset> <value>" per acknowledged record, then "done". A failed send prints
// "error <value> <message>" and the program exits 1 after the others finish.
// Usage: IdempotentProducer <bootstrap> <topic> <partitions> <count> <prefix>
package sluice.tools;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

public final class IdempotentProducer {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String topic = args[1];
    int partitions = Integer.parseInt(args[2]);
    int count = Integer.parseInt(args[3]);
    String prefix = args[4];
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    // Idempotence and acks=all are the defaults; said explicitly so a changed default cannot weaken the test.
    p.put("enable.idempotence", "true");
    p.put("acks", "all");
    p.put("linger.ms", "5");
    p.put("request.timeout.ms", "3000");
    p.put("delivery.timeout.ms", "60000");
    p.put("reconnect.backoff.ms", "50");
    p.put("reconnect.backoff.max.ms", "200");
    p.put("retry.backoff.ms", "50");
    AtomicInteger failed = new AtomicInteger();
    StringBuilder out = new StringBuilder();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < count; i++) {
        String value = prefix + "-" + i;
        producer.send(new ProducerRecord<>(topic, i % partitions, null, value), (md, err) -> {
          synchronized (out) {
            if (err != null) {
              failed.incrementAndGet();
              System.out.println("error " + value + " " + err.toString().replace('\n', ' '));
            } else {
              System.out.println("ack " + md.partition() + " " + md.offset() + " " + value);
            }
            System.out.flush();
          }
        });
        if (i % 50 == 49) Thread.sleep(10);
      }
      producer.flush();
    }
    System.out.println("done");
    System.out.flush();
    System.exit(failed.get() == 0 ? 0 : 1);
  }
}
