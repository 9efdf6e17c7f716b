// An idempotent franz-go producer (franz-go's default: idempotent, acks=all) for the broker's idempotence tests
// (packages/broker/test/idempotence-clients.test.ts): sends -count records "<prefix>-<i>" to partition
// i % -partitions of -topic, paced at 50 records per 10 ms, retrying through broker restarts, and prints
// "ack <partition> <offset> <value>" per acknowledged record, then "done". A failed record prints
// "error <value> <message>" and the program exits 1.
// Built by the test with `go build` (module tools/go), so it needs nothing beyond the franz-client's modules.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	brokers := flag.String("brokers", "127.0.0.1:9092", "bootstrap address")
	topic := flag.String("topic", "idem", "topic")
	partitions := flag.Int("partitions", 2, "partitions to spread records over")
	count := flag.Int("count", 1000, "records to send")
	prefix := flag.String("prefix", "franz", "value prefix")
	flag.Parse()
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(strings.Split(*brokers, ",")...),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ProducerLinger(5*time.Millisecond),
		kgo.RequestTimeoutOverhead(3*time.Second),
		kgo.RecordDeliveryTimeout(60*time.Second),
		kgo.RetryBackoffFn(func(int) time.Duration { return 50 * time.Millisecond }),
	)
	if err != nil {
		fmt.Println("error client", err)
		os.Exit(1)
	}
	var mu sync.Mutex
	failed := 0
	var wg sync.WaitGroup
	for i := 0; i < *count; i++ {
		value := fmt.Sprintf("%s-%d", *prefix, i)
		wg.Add(1)
		cl.Produce(context.Background(), &kgo.Record{Topic: *topic, Partition: int32(i % *partitions), Value: []byte(value)},
			func(r *kgo.Record, err error) {
				mu.Lock()
				if err != nil {
					failed++
					fmt.Printf("error %s %s\n", value, strings.ReplaceAll(err.Error(), "\n", " "))
				} else {
					fmt.Printf("ack %d %d %s\n", r.Partition, r.Offset, value)
				}
				mu.Unlock()
				wg.Done()
			})
		if i%50 == 49 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	wg.Wait()
	cl.Close()
	fmt.Println("done")
	if failed > 0 {
		os.Exit(1)
	}
}
