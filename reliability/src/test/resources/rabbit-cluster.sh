#!/bin/bash
# A RabbitMQ cluster of its own for ClusterIT: nodes NAME1..NAMEn@localhost on 127.0.0.1 only, data under DIR.
#   rabbit-cluster.sh start DIR PREFIX AMQP_PORT,DIST_PORT [AMQP_PORT,DIST_PORT ...]   (first node is joined by the rest)
#   rabbit-cluster.sh stop-node DIR NODE      rabbit-cluster.sh start-node DIR NODE   (its RabbitMQ application)
#   rabbit-cluster.sh list DIR NODE COLUMNS   (queues as JSON, asked of NODE)
#   rabbit-cluster.sh stop DIR                (every node started under DIR; for cleanup, also after a failure)
# Debian's wrappers switch to the rabbitmq user when run as root, so DIR must belong to it; the Erlang cookie is that
# user's, shared by every node (see /work/shared/notes/rabbitmq-cluster-one-box.md).
set -euo pipefail
cmd=$1 dir=$2; shift 2

launch() {   # NODE AMQP_PORT DIST_PORT
  local n=$1 d="$dir/$1"
  mkdir -p "$d"; : > "$d/plugins"; : > "$d/rabbitmq.conf"
  [ "$(id -u)" = 0 ] && chown -R rabbitmq:rabbitmq "$dir"
  echo "$n $2 $3" > "$d/node"
  RABBITMQ_NODENAME=$n@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$2 RABBITMQ_DIST_PORT=$3 \
  ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_MNESIA_BASE=$d/mnesia RABBITMQ_LOG_BASE=$d/log RABBITMQ_PID_FILE=$d/pid \
  RABBITMQ_ENABLED_PLUGINS_FILE=$d/plugins RABBITMQ_CONFIG_FILE=$d/rabbitmq \
    rabbitmq-server -detached
}
await() {   # -detached returns before the node is up (about 20 s here): wait for its pid file, then the app
  timeout 150 rabbitmqctl -q -n "$1@localhost" wait "$dir/$1/pid" --timeout 140 >/dev/null
  timeout 120 rabbitmqctl -q -n "$1@localhost" await_startup --timeout 110
}

case $cmd in
start)
  prefix=$1; shift; i=0; nodes=()
  for pp in "$@"; do i=$((i+1)); n=$prefix$i; nodes+=("$n"); launch "$n" "${pp%,*}" "${pp#*,}"; done
  for n in "${nodes[@]}"; do await "$n"; done
  for n in "${nodes[@]:1}"; do
    rabbitmqctl -q -n "$n@localhost" stop_app
    rabbitmqctl -q -n "$n@localhost" join_cluster "${nodes[0]}@localhost"
    rabbitmqctl -q -n "$n@localhost" start_app
  done
  rabbitmqctl -q -n "${nodes[0]}@localhost" cluster_status --formatter json | head -c 2000; echo ;;
stop-node) rabbitmqctl -q -n "$1@localhost" stop_app ;;
start-node) rabbitmqctl -q -n "$1@localhost" start_app; await "$1" ;;
list)     # NODE "COLUMNS": the queues as JSON (e.g. "name leader", "name type members")
  rabbitmqctl -q -n "$1@localhost" list_queues $2 --formatter json ;;
stop)
  for f in "$dir"/*/node; do
    [ -f "$f" ] || continue; read -r n _ _ < "$f"
    timeout 60 rabbitmqctl -q -n "$n@localhost" stop "$dir/$n/pid" >/dev/null 2>&1 \
      || { [ -f "$dir/$n/pid" ] && kill -9 "$(cat "$dir/$n/pid")" 2>/dev/null || true; }
  done ;;
*) echo "unknown command $cmd" >&2; exit 2 ;;
esac
