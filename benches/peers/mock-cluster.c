/*
 * librdkafka's in-memory mock cluster as a benchmark peer (BENCHMARKS.md section 2).
 * Usage: mock-cluster [topic:partitions ...]
 *   Creates a 1-broker mock cluster, creates each named topic (replication 1), prints one line
 *   "bootstrap <host:port>" on stdout, then serves until stdin reaches EOF (the parent closes it, or dies),
 *   destroys the cluster and exits 0. Errors go to stderr with exit status 1.
 * The mock does no disk I/O, no CRC checks and no indexing: a floor for broker CPU, not a feature target.
 * Build (benches/peers/build-mock-cluster.ts does this on demand):
 *   gcc -O2 -o mock-cluster mock-cluster.c -lrdkafka   (Debian: librdkafka-dev)
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* Quiet: the handle has no bootstrap.servers, which librdkafka warns about. */
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  /* The mock cluster needs a handle to live in; a producer handle that never produces. */
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == NULL) {
    fprintf(stderr, "rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, 1);
  if (mc == NULL) {
    fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
    return 1;
  }
  for (int i = 1; i < argc; i++) {
    char *spec = strdup(argv[i]);
    char *colon = strrchr(spec, ':');
    int partitions = 1;
    if (colon != NULL) {
      *colon = '\0';
      partitions = atoi(colon + 1);
    }
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, spec, partitions, 1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "topic %s: %s\n", spec, rd_kafka_err2str(err));
      return 1;
    }
    free(spec);
  }
  printf("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);
  char buf[256];
  while (read(0, buf, sizeof(buf)) > 0) {
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
