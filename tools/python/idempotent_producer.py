"""An idempotent confluent-kafka (librdkafka) producer for the broker's idempotence tests
(packages/broker/test/idempotence-clients.test.ts): enable.idempotence=true; sends <count> records "<prefix>-<i>" to
partition i % <partitions> of <topic>, paced at 50 records per 10 ms, retrying through broker restarts, and prints
"ack <partition> <offset> <value>" per acknowledged record, then "done". A failed record prints
"error <value> <message>" and the program exits 1.
Usage: idempotent_producer.py <bootstrap> <topic> <partitions> <count> <prefix>
"""
import sys
import time

from confluent_kafka import Producer


def main() -> int:
    bootstrap, topic, partitions, count, prefix = sys.argv[1:6]
    partitions, count = int(partitions), int(count)
    producer = Producer({
        "bootstrap.servers": bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        "message.timeout.ms": 60000,
        "request.timeout.ms": 3000,
        "reconnect.backoff.ms": 50,
        "reconnect.backoff.max.ms": 200,
        "retry.backoff.ms": 50,
    })
    failed = 0

    def report(err, msg):
        nonlocal failed
        value = msg.value().decode()
        if err is not None:
            failed += 1
            print(f"error {value} {err}", flush=True)
        else:
            print(f"ack {msg.partition()} {msg.offset()} {value}", flush=True)

    for i in range(count):
        while True:
            try:
                producer.produce(topic, value=f"{prefix}-{i}".encode(), partition=i % partitions, on_delivery=report)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
        if i % 50 == 49:
            time.sleep(0.01)
    remaining = producer.flush(90)
    if remaining > 0:
        print(f"error flush {remaining} records not delivered", flush=True)
        return 1
    print("done", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
