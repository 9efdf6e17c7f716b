# confluent-kafka's (librdkafka's) scripted client scenario, run by packages/testkit/src/clients/confluent-python.ts
# against any bootstrap address. Prints one JSON object on stdout (packages/testkit/src/scenario.ts):
#   create topic (AdminClient, 3 partitions) -> [--configs: describe retention.ms, incremental-alter it to 3600000,
#   describe again] -> per codec: a producer (idempotent unless --no-idempotence; acks=all) sends --count keyed
#   records with headers codec=<codec>, client=confluent-python -> a consumer reads them from the beginning, by
#   manual assignment with --assign (no group: committed is -1), else as a consumer group that commits ->
#   earliest/latest offsets (ListOffsets) -> delete topic.
# Usage: tools/python/.venv/bin/python tools/python/client_scenario.py --bootstrap H:P --topic T [--group G]
#        [--codecs none,gzip,snappy,lz4,zstd] [--count 3] [--skip-admin] [--assign] [--no-idempotence] [--configs]
import argparse
import json
import sys
import time

import confluent_kafka
from confluent_kafka import Consumer, OFFSET_BEGINNING, Producer, TopicPartition
from confluent_kafka.admin import (
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    NewTopic,
    ResourceType,
)

# As packages/testkit/src/scenario.ts VALUE_PADDING: makes one-record batches compressible (librdkafka sends a batch
# uncompressed when compressing does not make it smaller).
VALUE_PADDING = " sluice" * 20


def fail(step, err):
    print(f"confluent-python scenario: {step}: {err}", file=sys.stderr)
    sys.exit(1)


def retention_ms(admin, topic):
    resource = ConfigResource(ResourceType.TOPIC, topic)
    configs = admin.describe_configs([resource], request_timeout=30)[resource].result(timeout=30)
    entry = configs.get("retention.ms")
    return None if entry is None else entry.value


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--group")
    ap.add_argument("--codecs", default="none,gzip,snappy,lz4,zstd")
    ap.add_argument("--count", type=int, default=3)
    ap.add_argument("--skip-admin", action="store_true")
    ap.add_argument("--assign", action="store_true")
    ap.add_argument("--no-idempotence", action="store_true")
    ap.add_argument("--configs", action="store_true")
    a = ap.parse_args()
    group = a.group or f"{a.topic}-group"
    codecs = a.codecs.split(",")
    common = {"bootstrap.servers": a.bootstrap, "client.id": "sluice-python-scenario"}
    res = {
        "client": "confluent-python",
        "clientVersion": f"{confluent_kafka.version()[0]} (librdkafka {confluent_kafka.libversion()[0]})",
        "topic": a.topic,
        "produced": [],
        "consumed": [],
        "offsets": {},
        "deleted": False,
    }
    admin = AdminClient(common)
    if not a.skip_admin:
        try:
            admin.create_topics([NewTopic(a.topic, 3, 1)], request_timeout=30)[a.topic].result(timeout=30)
        except Exception as e:
            fail("create topic", e)
    if a.configs:
        try:
            before = retention_ms(admin, a.topic)
            resource = ConfigResource(
                ResourceType.TOPIC,
                a.topic,
                incremental_configs=[ConfigEntry("retention.ms", "3600000", incremental_operation=AlterConfigOpType.SET)],
            )
            admin.incremental_alter_configs([resource], request_timeout=30)[resource].result(timeout=30)
            res["configs"] = {"before": before, "after": retention_ms(admin, a.topic)}
        except Exception as e:
            fail("configs", e)

    for codec in codecs:
        conf = dict(common)
        conf.update(
            {
                "compression.codec": codec,
                "acks": "all",
                "enable.idempotence": not a.no_idempotence,
                "linger.ms": 20,
            }
        )
        producer = Producer(conf)
        acked = {}
        errors = []

        def on_delivery(err, msg, codec=codec):
            if err is not None:
                errors.append(err)
            else:
                acked[msg.key().decode()] = (msg.partition(), msg.offset())

        for i in range(a.count):
            producer.produce(
                a.topic,
                key=f"{codec}-{i}",
                value=f"confluent-python {codec} {i}{VALUE_PADDING}",
                headers=[("codec", codec), ("client", "confluent-python")],
                on_delivery=on_delivery,
            )
        if producer.flush(30) != 0 or errors:
            fail("produce " + codec, errors or "flush timed out")
        for i in range(a.count):
            key = f"{codec}-{i}"
            partition, offset = acked[key]
            res["produced"].append({"codec": codec, "key": key, "partition": partition, "offset": offset})

    total = len(res["produced"])
    conf = dict(common)
    conf.update({"enable.auto.commit": False, "auto.offset.reset": "earliest", "group.id": group})
    consumer = Consumer(conf)
    partitions = [TopicPartition(a.topic, p, OFFSET_BEGINNING) for p in range(3)]
    if a.assign:
        consumer.assign(partitions)
    else:
        consumer.subscribe([a.topic])
    deadline = time.time() + 60
    while len(res["consumed"]) < total and time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            fail("consume", msg.error())
        key = msg.key()
        value = msg.value()
        res["consumed"].append(
            {
                "partition": msg.partition(),
                "offset": msg.offset(),
                "key": None if key is None else key.decode(),
                "value": None if value is None else value.decode(),
                "headers": [[k, v.decode()] for k, v in (msg.headers() or [])],
            }
        )
    committed = {}
    if not a.assign:
        consumer.commit(asynchronous=False)
        for tp in consumer.committed([TopicPartition(a.topic, p) for p in range(3)], timeout=30):
            committed[tp.partition] = tp.offset if tp.offset >= 0 else -1
    for p in range(3):
        low, high = consumer.get_watermark_offsets(TopicPartition(a.topic, p), timeout=30, cached=False)
        res["offsets"][str(p)] = {"earliest": low, "latest": high, "committed": committed.get(p, -1)}
    consumer.close()

    if not a.skip_admin:
        try:
            admin.delete_topics([a.topic], request_timeout=30)[a.topic].result(timeout=30)
        except Exception as e:
            fail("delete topic", e)
        res["deleted"] = True
    print(json.dumps(res))


if __name__ == "__main__":
    main()
