# One consumer-group member for packages/broker/test/groups-clients.test.ts, with kafka-python (--lib kafka-python)
# or confluent-kafka (--lib confluent): joins --group on --topic from the earliest offset, consumes until --count
# records or --timeout seconds, commits synchronously, closes (LeaveGroup) and prints one JSON object on stdout:
#   {"lib": "...", "records": [[partition, offset], ...]}
# Usage: tools/python/.venv/bin/python tools/python/group_consumer.py --lib L --bootstrap H:P --topic T --group G
#        --count N [--timeout 30]
import argparse
import json
import time


def with_kafka_python(a):
    from kafka import KafkaConsumer

    c = KafkaConsumer(
        a.topic,
        bootstrap_servers=a.bootstrap,
        group_id=a.group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=10000,
        heartbeat_interval_ms=1000,
    )
    out = []
    deadline = time.time() + a.timeout
    while len(out) < a.count and time.time() < deadline:
        for records in c.poll(timeout_ms=200).values():
            out.extend([r.partition, r.offset] for r in records)
    c.commit()
    c.close()
    return out


def with_confluent(a):
    from confluent_kafka import Consumer

    c = Consumer(
        {
            "bootstrap.servers": a.bootstrap,
            "group.id": a.group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": 10000,
        }
    )
    c.subscribe([a.topic])
    out = []
    deadline = time.time() + a.timeout
    while len(out) < a.count and time.time() < deadline:
        m = c.poll(0.2)
        if m is None or m.error() is not None:
            continue
        out.append([m.partition(), m.offset()])
    if out:
        c.commit(asynchronous=False)
    c.close()
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lib", required=True, choices=["kafka-python", "confluent"])
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--group", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--timeout", type=float, default=30)
    a = p.parse_args()
    records = with_kafka_python(a) if a.lib == "kafka-python" else with_confluent(a)
    print(json.dumps({"lib": a.lib, "records": records}))


main()
