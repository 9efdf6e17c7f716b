# One confluent-kafka (librdkafka) consumer-group member for packages/broker/test/groups-members.test.ts, run as a
# child process so the test can SIGKILL it. Joins --group on --topic from the earliest offset with
# --session-timeout-ms and librdkafka's default assignors (range, roundrobin; eager), and prints JSON lines on stdout:
#   {"event": "assignment", "partitions": [...]}                     after every assign/revoke (the whole assignment)
#   {"event": "record", "partition": p, "offset": o, "value": "..."}  per record, after its offset was committed
#   {"event": "commit-failed", "error": "..."}                        a commit the group refused
# Commits are synchronous between polls; eager rebalances revoke inside poll(), so a committed batch is never handed
# to another member. stdin EOF closes the member cleanly (LeaveGroup) and exits 0.
# Usage: tools/python/.venv/bin/python tools/python/group_member.py BOOTSTRAP TOPIC GROUP SESSION_TIMEOUT_MS
import json
import sys
import threading

from confluent_kafka import Consumer, KafkaException


def emit(event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def main():
    bootstrap, topic, group, session_timeout_ms = sys.argv[1:5]
    c = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": int(session_timeout_ms),
            # 500 ms: a rebalance is noticed by the next heartbeat, well inside the session timeout.
            "heartbeat.interval.ms": 500,
            "fetch.wait.max.ms": 500,
        }
    )
    owned = set()

    def on_assign(consumer, partitions):
        owned.clear()
        owned.update(p.partition for p in partitions if p.topic == topic)
        emit({"event": "assignment", "partitions": sorted(owned)})

    def on_revoke(consumer, partitions):
        owned.difference_update(p.partition for p in partitions if p.topic == topic)
        emit({"event": "assignment", "partitions": sorted(owned)})

    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_revoke)
    closing = threading.Event()

    def wait_for_eof():
        sys.stdin.read()
        closing.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    while not closing.is_set():
        batch = [m for m in c.consume(num_messages=100, timeout=0.2) if m.error() is None]
        if not batch:
            continue
        try:
            c.commit(asynchronous=False)
        except KafkaException as e:
            emit({"event": "commit-failed", "error": str(e)})
            continue
        for m in batch:
            emit(
                {
                    "event": "record",
                    "partition": m.partition(),
                    "offset": m.offset(),
                    "value": m.value().decode(),
                }
            )
    c.close()  # leaves the group


main()
