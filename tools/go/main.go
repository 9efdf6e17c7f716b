// franz-go's scripted client scenario, run by packages/testkit/src/clients/franz-go.ts against any bootstrap
// address. Prints one JSON object on stdout (packages/testkit/src/scenario.ts):
//
//	create topic (kadm, 3 partitions) -> per codec: an idempotent producer (InitProducerId) sends -count keyed
//	records with headers codec=<codec>, client=franz-go -> a classic consumer group (FindCoordinator, JoinGroup,
//	SyncGroup) reads them from the beginning and commits -> ListOffsets earliest/latest, OffsetFetch -> delete topic.
//
// -max-version caps request versions at a Kafka release ("3.9" = the versions Sluice's protocol schemas cover).
// -assign reads back with direct partition consumption (no group: committed offsets are -1); -idempotent=false
// produces with acks=all and no InitProducerId; -configs also describes the topic's retention.ms, alters it to
// 3600000 (IncrementalAlterConfigs) and describes it again ("configs":{"before":...,"after":...}).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kversion"
)

// As packages/testkit/src/scenario.ts VALUE_PADDING: makes one-record batches compressible (franz-go sends a batch
// uncompressed when compressing does not make it smaller).
var valuePadding = strings.Repeat(" sluice", 20)

type produced struct {
	Codec     string `json:"codec"`
	Key       string `json:"key"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
}

type consumed struct {
	Partition int32       `json:"partition"`
	Offset    int64       `json:"offset"`
	Key       *string     `json:"key"`
	Value     *string     `json:"value"`
	Headers   [][2]string `json:"headers"`
}

type offsets struct {
	Earliest  int64 `json:"earliest"`
	Latest    int64 `json:"latest"`
	Committed int64 `json:"committed"`
}

type result struct {
	Client        string             `json:"client"`
	ClientVersion string             `json:"clientVersion"`
	Topic         string             `json:"topic"`
	Produced      []produced         `json:"produced"`
	Consumed      []consumed         `json:"consumed"`
	Offsets       map[string]offsets `json:"offsets"`
	Deleted       bool               `json:"deleted"`
	Configs       *configs           `json:"configs,omitempty"`
}

type configs struct {
	Before *string `json:"before"`
	After  *string `json:"after"`
}

func retentionMs(ctx context.Context, admin *kadm.Client, topic string) *string {
	described, err := admin.DescribeTopicConfigs(ctx, topic)
	if err != nil {
		fail("describe configs", err)
	}
	rc, err := described.On(topic, nil)
	if err != nil {
		fail("describe configs", err)
	}
	for _, c := range rc.Configs {
		if c.Key == "retention.ms" {
			return c.Value
		}
	}
	return nil
}

func codecOf(name string) kgo.CompressionCodec {
	switch name {
	case "gzip":
		return kgo.GzipCompression()
	case "snappy":
		return kgo.SnappyCompression()
	case "lz4":
		return kgo.Lz4Compression()
	case "zstd":
		return kgo.ZstdCompression()
	}
	return kgo.NoCompression()
}

func strp(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

func fail(step string, err error) {
	fmt.Fprintf(os.Stderr, "franz-go scenario: %s: %v\n", step, err)
	os.Exit(1)
}

func main() {
	bootstrap := flag.String("bootstrap", "127.0.0.1:9092", "bootstrap address")
	topic := flag.String("topic", "scenario", "topic")
	group := flag.String("group", "", "consumer group (default <topic>-group)")
	codecs := flag.String("codecs", "none,gzip,snappy,lz4,zstd", "codecs")
	count := flag.Int("count", 3, "records per codec")
	skipAdmin := flag.Bool("skip-admin", false, "skip CreateTopics/DeleteTopics")
	maxVersion := flag.String("max-version", "", "cap request versions at a Kafka release, e.g. 3.9")
	assign := flag.Bool("assign", false, "consume by direct partition assignment instead of a group")
	idempotent := flag.Bool("idempotent", true, "idempotent producer (InitProducerId)")
	withConfigs := flag.Bool("configs", false, "describe and alter the topic's retention.ms")
	flag.Parse()
	if *group == "" {
		*group = *topic + "-group"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Second)
	defer cancel()

	base := []kgo.Opt{kgo.SeedBrokers(*bootstrap), kgo.ClientID("sluice-franz-scenario")}
	if *maxVersion != "" {
		v := kversion.FromString(*maxVersion)
		if v == nil {
			fail("max-version", fmt.Errorf("unknown release %q", *maxVersion))
		}
		base = append(base, kgo.MaxVersions(v))
	}
	version := "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/twmb/franz-go" {
				version = dep.Version
			}
		}
	}
	res := result{Client: "franz-go", ClientVersion: version, Topic: *topic, Offsets: map[string]offsets{}}

	adminClient, err := kgo.NewClient(base...)
	if err != nil {
		fail("client", err)
	}
	defer adminClient.Close()
	admin := kadm.NewClient(adminClient)
	if !*skipAdmin {
		if _, err := admin.CreateTopic(ctx, 3, 1, nil, *topic); err != nil {
			fail("create topic", err)
		}
	}
	if *withConfigs {
		before := retentionMs(ctx, admin, *topic)
		v := "3600000"
		altered, err := admin.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "retention.ms", Value: &v}}, *topic)
		if err == nil {
			_, err = altered.On(*topic, nil)
		}
		if err != nil {
			fail("alter configs", err)
		}
		res.Configs = &configs{before, retentionMs(ctx, admin, *topic)}
	}

	for _, codec := range strings.Split(*codecs, ",") {
		opts := append([]kgo.Opt{}, base...)
		opts = append(opts, kgo.ProducerBatchCompression(codecOf(codec)), kgo.ProducerLinger(20*time.Millisecond),
			kgo.DefaultProduceTopic(*topic))
		if !*idempotent {
			opts = append(opts, kgo.DisableIdempotentWrite(), kgo.RequiredAcks(kgo.AllISRAcks()))
		}
		producer, err := kgo.NewClient(opts...)
		if err != nil {
			fail("producer", err)
		}
		records := make([]*kgo.Record, 0, *count)
		for i := 0; i < *count; i++ {
			records = append(records, &kgo.Record{
				Key:   []byte(fmt.Sprintf("%s-%d", codec, i)),
				Value: []byte(fmt.Sprintf("franz-go %s %d", codec, i) + valuePadding),
				Headers: []kgo.RecordHeader{
					{Key: "codec", Value: []byte(codec)},
					{Key: "client", Value: []byte("franz-go")},
				},
			})
		}
		results := producer.ProduceSync(ctx, records...)
		if err := results.FirstErr(); err != nil {
			fail("produce "+codec, err)
		}
		for _, r := range results {
			res.Produced = append(res.Produced, produced{codec, string(r.Record.Key), r.Record.Partition, r.Record.Offset})
		}
		producer.Close()
	}

	total := len(res.Produced)
	opts := append([]kgo.Opt{}, base...)
	if *assign {
		start := map[string]map[int32]kgo.Offset{*topic: {}}
		for p := int32(0); p < 3; p++ {
			start[*topic][p] = kgo.NewOffset().AtStart()
		}
		opts = append(opts, kgo.ConsumePartitions(start))
	} else {
		opts = append(opts, kgo.ConsumerGroup(*group), kgo.ConsumeTopics(*topic),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit())
	}
	consumer, err := kgo.NewClient(opts...)
	if err != nil {
		fail("consumer", err)
	}
	for len(res.Consumed) < total && ctx.Err() == nil {
		pollCtx, pollCancel := context.WithTimeout(ctx, 2*time.Second)
		fetches := consumer.PollFetches(pollCtx)
		pollCancel()
		fetches.EachRecord(func(r *kgo.Record) {
			headers := make([][2]string, 0, len(r.Headers))
			for _, h := range r.Headers {
				headers = append(headers, [2]string{h.Key, string(h.Value)})
			}
			res.Consumed = append(res.Consumed, consumed{r.Partition, r.Offset, strp(r.Key), strp(r.Value), headers})
		})
	}
	if !*assign {
		if err := consumer.CommitUncommittedOffsets(ctx); err != nil {
			fail("commit", err)
		}
	}
	consumer.Close()

	starts, err := admin.ListStartOffsets(ctx, *topic)
	if err != nil {
		fail("list start offsets", err)
	}
	ends, err := admin.ListEndOffsets(ctx, *topic)
	if err != nil {
		fail("list end offsets", err)
	}
	committed := kadm.OffsetResponses{}
	if !*assign {
		committed, err = admin.FetchOffsets(ctx, *group)
		if err != nil {
			fail("fetch offsets", err)
		}
	}
	for p := int32(0); p < 3; p++ {
		o := offsets{Earliest: -1, Latest: -1, Committed: -1}
		if s, ok := starts.Lookup(*topic, p); ok {
			o.Earliest = s.Offset
		}
		if e, ok := ends.Lookup(*topic, p); ok {
			o.Latest = e.Offset
		}
		if c, ok := committed.Lookup(*topic, p); ok {
			o.Committed = c.At
		}
		res.Offsets[strconv.Itoa(int(p))] = o
	}

	if !*skipAdmin {
		if _, err := admin.DeleteTopic(ctx, *topic); err != nil {
			fail("delete topic", err)
		}
		res.Deleted = true
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
}
