"""A transactional confluent-kafka (librdkafka) producer for the broker's transaction tests
(packages/broker/test/transactions-clients.test.ts): init_transactions with transactional.id <txn-id>, then one
transaction per letter of <plan> ("c" commits, "a" aborts), each producing <per-txn> records
"<prefix>-<txn>-<c|a>-<i>" to partition i % <partitions> of <topic>. Prints "committed <txn>" / "aborted <txn>" after
each transaction ends, then "done". Any failure prints "error <message>" and the program exits 1.
Usage: transactional_producer.py <bootstrap> <topic> <partitions> <txn-id> <plan> <per-txn> <prefix>
"""
import sys

from confluent_kafka import KafkaException, Producer


def main() -> int:
    bootstrap, topic, partitions, txn_id, plan, per_txn, prefix = sys.argv[1:8]
    partitions, per_txn = int(partitions), int(per_txn)
    producer = Producer({
        "bootstrap.servers": bootstrap,
        "transactional.id": txn_id,
        "acks": "all",
        "linger.ms": 5,
        "request.timeout.ms": 5000,
        "transaction.timeout.ms": 30000,
    })
    try:
        producer.init_transactions(20)
        for txn, kind in enumerate(plan):
            producer.begin_transaction()
            for i in range(per_txn):
                producer.produce(topic, value=f"{prefix}-{txn}-{kind}-{i}".encode(), partition=i % partitions)
            # Flushing before an abort makes the records reach the log first, so the abort has something to hide.
            producer.flush(20)
            if kind == "c":
                producer.commit_transaction(20)
                print(f"committed {txn}", flush=True)
            else:
                producer.abort_transaction(20)
                print(f"aborted {txn}", flush=True)
    except KafkaException as e:
        print(f"error {e}", flush=True)
        return 1
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
