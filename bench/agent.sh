#!/usr/bin/env bash
# Agent footprint benchmark (issue 5): the Fleetwatch agent against Prometheus node_exporter on this machine, in one run.
# Both in steady state: the agent samples and publishes every second (to a throw-away RabbitMQ vhost); node_exporter
# (--no-collector.systemd) is scraped every second on 127.0.0.1. Reported: resident memory, and CPU time per
# collection cycle (utime+stime from /proc over the measured cycles).
#   bench/run agent [--cycles N] [--warmup S]
set -euo pipefail
cd "$(dirname "$0")/.."
cycles=60
warmup=20
while [ $# -gt 0 ]; do
  case "$1" in
    --cycles) cycles=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    *) echo "bench agent: unknown option $1" >&2; exit 2 ;;
  esac
done
if ! command -v prometheus-node-exporter >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus-node-exporter >/dev/null
fi
# The Debian package starts its own service where systemd runs; ours is a separate process on another port.
tck=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

vhost="fwbench-agent-$$"
rabbitmqctl -q add_vhost "$vhost"
rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*'
state=$(mktemp -d)
cleanup() {
  [ -n "${agent_pid:-}" ] && kill "$agent_pid" 2>/dev/null || true
  [ -n "${ne_pid:-}" ] && kill "$ne_pid" 2>/dev/null || true
  rabbitmqctl -q delete_vhost "$vhost" || true
  rm -rf "$state"
}
trap cleanup EXIT
QUEUE_VHOST="$vhost" bin/fleetwatch queue-setup >/dev/null

# The agent exactly as the .deb runs it: same JVM flags, same classpath layout.
flags=$(cat packaging/src/deb/agent/jvm.options)
QUEUE_VHOST="$vhost" FLEETWATCH_AGENT_INTERVAL=1s FLEETWATCH_AGENT_STATE_DIR="$state" FLEETWATCH_LOG_LEVEL=warn \
  java $flags -Dorg.slf4j.simpleLogger.log.io.fleetwatch=warn -cp "agent/target/lib/*:agent/target/fleetwatch-agent-0.1.0-SNAPSHOT.jar" io.fleetwatch.agent.AgentMain \
  >"$state/agent.log" 2>&1 &
agent_pid=$!
prometheus-node-exporter --no-collector.systemd --web.listen-address=127.0.0.1:19100 >"$state/ne.log" 2>&1 &
ne_pid=$!
sleep 2
for _ in $(seq 1 "$warmup"); do curl -fs -o /dev/null http://127.0.0.1:19100/metrics; sleep 1; done

a0=$(cpu_ticks $agent_pid); n0=$(cpu_ticks $ne_pid); t0=$(date +%s.%N)
bytes=0
for _ in $(seq 1 "$cycles"); do
  b=$(curl -fs http://127.0.0.1:19100/metrics | wc -c); bytes=$((bytes + b)); sleep 1
done
a1=$(cpu_ticks $agent_pid); n1=$(cpu_ticks $ne_pid); t1=$(date +%s.%N)
agent_rss=$(rss_kb $agent_pid); ne_rss=$(rss_kb $ne_pid)
agent_cycles=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%d", b - a}') # one sample per second
published=$(rabbitmqctl -q list_queues -p "$vhost" name messages | awk '$1 == "metrics_queue" {print $2}')

awk -v a0="$a0" -v a1="$a1" -v n0="$n0" -v n1="$n1" -v tck="$tck" -v ac="$agent_cycles" -v nc="$cycles" \
    -v ar="$agent_rss" -v nr="$ne_rss" -v pub="$published" -v bytes="$bytes" 'BEGIN {
  acpu = (a1 - a0) * 1000 / tck / ac; ncpu = (n1 - n0) * 1000 / tck / nc
  printf "Agent footprint: %d agent cycles (1 s interval, publishing with confirms; %d samples on the queue), %d node_exporter scrapes (%d bytes each)\n", ac, pub, nc, bytes / nc
  printf "| figure | fleetwatch-agent | node_exporter (--no-collector.systemd) | ratio | goal |\n|---|---|---|---|---|\n"
  printf "| resident memory (VmRSS) | %.1f MiB | %.1f MiB | %.2f | <= 2.5 |\n", ar / 1024, nr / 1024, ar / nr
  printf "| CPU time per cycle (utime+stime) | %.2f ms | %.2f ms | %.2f | <= 1.0 |\n", acpu, ncpu, (ncpu > 0 ? acpu / ncpu : 0)
}'
