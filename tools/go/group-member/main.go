// One franz-go consumer-group member for packages/broker/test/groups-members.test.ts, run as a child process so the
// test can SIGKILL it. Joins -group on -topic from the earliest offset with -session-timeout and franz-go's default
// balancer (cooperative-sticky), and prints JSON lines on stdout:
//
//	{"event":"assignment","partitions":[...]}                    after every assignment change (the whole assignment)
//	{"event":"record","partition":p,"offset":o,"value":"..."}    per record, after its offset was committed
//	{"event":"commit-failed","error":"..."}                      a commit the group refused
//
// Rebalances are blocked while a polled batch is committed (BlockRebalanceOnPoll), so a committed batch is never
// handed to another member. stdin EOF closes the member cleanly (LeaveGroup) and exits 0.
// Built by the test with `go build` (module tools/go).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

var out = json.NewEncoder(os.Stdout)
var outMu sync.Mutex

func emit(v map[string]any) {
	outMu.Lock()
	defer outMu.Unlock()
	_ = out.Encode(v)
}

func main() {
	brokers := flag.String("brokers", "127.0.0.1:9092", "bootstrap address")
	topic := flag.String("topic", "", "topic")
	group := flag.String("group", "", "group id")
	sessionTimeout := flag.Duration("session-timeout", 6*time.Second, "session.timeout.ms")
	flag.Parse()

	var mu sync.Mutex
	owned := map[int32]bool{}
	report := func() {
		parts := []int{}
		for p := range owned {
			parts = append(parts, int(p))
		}
		sort.Ints(parts)
		emit(map[string]any{"event": "assignment", "partitions": parts})
	}
	var cl *kgo.Client
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(strings.Split(*brokers, ",")...),
		kgo.ConsumerGroup(*group),
		kgo.ConsumeTopics(*topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.SessionTimeout(*sessionTimeout),
		kgo.RebalanceTimeout(*sessionTimeout),
		kgo.HeartbeatInterval(500*time.Millisecond),
		kgo.FetchMaxWait(500*time.Millisecond),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			mu.Lock()
			defer mu.Unlock()
			for _, p := range m[*topic] {
				owned[p] = true
			}
			report()
		}),
		kgo.OnPartitionsRevoked(func(ctx context.Context, c *kgo.Client, m map[string][]int32) {
			mu.Lock()
			defer mu.Unlock()
			for _, p := range m[*topic] {
				delete(owned, p)
			}
			report()
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			mu.Lock()
			defer mu.Unlock()
			for _, p := range m[*topic] {
				delete(owned, p)
			}
			report()
		}),
	)
	if err != nil {
		emit(map[string]any{"event": "error", "error": err.Error()})
		os.Exit(1)
	}

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	for ctx.Err() == nil {
		fetches := cl.PollFetches(ctx)
		records := fetches.Records()
		if len(records) > 0 {
			if err := cl.CommitRecords(context.Background(), records...); err != nil {
				emit(map[string]any{"event": "commit-failed", "error": err.Error()})
			} else {
				for _, r := range records {
					emit(map[string]any{"event": "record", "partition": r.Partition, "offset": r.Offset, "value": string(r.Value)})
				}
			}
		}
		cl.AllowRebalance()
	}
	cl.Close() // leaves the group
}
