// A transactional franz-go producer for the broker's transaction tests
// (packages/broker/test/transactions-clients.test.ts): a client with kgo.TransactionalID(-txn-id) runs one
// transaction per letter of -plan ("c" commits, "a" aborts), each producing -per-txn records
// "<prefix>-<txn>-<c|a>-<i>" to partition i % -partitions of -topic and flushing them to the log before
// EndTransaction (so an abort has records to hide). Prints "committed <txn>" / "aborted <txn>" after each
// transaction ends, then "done". Any failure prints "error <message>" and the program exits 1.
// Built by the test with `go build` (module tools/go).
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

func fail(what string, err error) {
	fmt.Printf("error %s %s\n", what, strings.ReplaceAll(err.Error(), "\n", " "))
	os.Exit(1)
}

func main() {
	brokers := flag.String("brokers", "127.0.0.1:9092", "bootstrap address")
	topic := flag.String("topic", "txn", "topic")
	partitions := flag.Int("partitions", 2, "partitions to spread records over")
	txnID := flag.String("txn-id", "franz-txn", "transactional id")
	plan := flag.String("plan", "cac", "one letter per transaction: c commits, a aborts")
	perTxn := flag.Int("per-txn", 10, "records per transaction")
	prefix := flag.String("prefix", "franz", "value prefix")
	flag.Parse()
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(strings.Split(*brokers, ",")...),
		kgo.TransactionalID(*txnID),
		kgo.TransactionTimeout(30*time.Second),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RequestTimeoutOverhead(5*time.Second),
	)
	if err != nil {
		fail("client", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var mu sync.Mutex
	var produceErr error
	for txn, kind := range *plan {
		if err := cl.BeginTransaction(); err != nil {
			fail("begin", err)
		}
		for i := 0; i < *perTxn; i++ {
			value := fmt.Sprintf("%s-%d-%c-%d", *prefix, txn, kind, i)
			cl.Produce(ctx, &kgo.Record{Topic: *topic, Partition: int32(i % *partitions), Value: []byte(value)},
				func(_ *kgo.Record, err error) {
					if err != nil {
						mu.Lock()
						produceErr = err
						mu.Unlock()
					}
				})
		}
		if err := cl.Flush(ctx); err != nil {
			fail("flush", err)
		}
		mu.Lock()
		if produceErr != nil {
			fail("produce", produceErr)
		}
		mu.Unlock()
		commit := kgo.TryCommit
		word := "committed"
		if kind == 'a' {
			commit = kgo.TryAbort
			word = "aborted"
		}
		if err := cl.EndTransaction(ctx, commit); err != nil {
			fail("end", err)
		}
		fmt.Printf("%s %d\n", word, txn)
	}
	fmt.Println("done")
}
