#!/usr/bin/env bash
# Start-up benchmark (issue 19): the real CLI as users run it (bin/fleetwatch: the launcher, the JVM, its flags),
# JVM start included, beside floors measured in the same run and, interleaved with it, a baseline build.
#   bench/run startup [--runs N] [--baseline DIR]
# Rows per command: "floor" (java -version, and a hello-world class with the launcher's short-command flags),
# "this build" (bin/fleetwatch with its class-data archive, made first: FLEETWATCH_CDS=build),
# "no archive" (the same without it) and, with --baseline DIR (a fleetwatch.jar and lib/ of another build, e.g. main's),
# "baseline" run as the launcher ran it before (java -XX:+UseSerialGC -Xss512k -jar). Each repetition runs every
# variant once, in turn, so load on this shared machine hits them alike. Reported: median (min) wall time, median
# user+sys CPU (/usr/bin/time), and for scan the time to its first packet (the first sendto() to 127.0.0.1, from
# strace, which adds a little to scan's figures in every row alike).
# scan sweeps 127.0.0.1/32 only, printing instead of publishing (--json -n): no broker, database or other address.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=10
baseline=
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --baseline) baseline=$(cd "$2" && pwd); shift 2 ;;
    *) echo "bench startup: unknown option $1" >&2; exit 2 ;;
  esac
done
FLEETWATCH_CDS=build bin/fleetwatch    # anew: the build before this one may have changed the jars
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' >"$work/Hello.java"
javac -d "$work" "$work/Hello.java"
# "agent --once" must not read a config or the developer's environment: the sample is this host's alone
clean=(env -i "PATH=$PATH" "HOME=$HOME")

variants=(floor this noarchive)
[ -n "$baseline" ] && variants+=(baseline)
commands=("--version" "--help" "agent --once" "scan --json -n 127.0.0.1/32")

run_one() { # variant, command words...
  local v=$1; shift
  local -a cmd
  case "$v" in
    floor)
      if [ "$1" = --version ]; then cmd=(java -XX:+UseSerialGC -Xss512k -version)
      else cmd=(java -XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1 -cp "$work" Hello); fi ;;
    this) cmd=(bin/fleetwatch "$@") ;;
    noarchive) cmd=(env FLEETWATCH_CDS_ARCHIVE=/nonexistent bin/fleetwatch "$@") ;;
    baseline) cmd=(java -XX:+UseSerialGC -Xss512k -jar "$baseline/fleetwatch.jar" "$@") ;;
  esac
  if [ "$1" = scan ]; then
    local t0; t0=$(date +%s.%N)
    /usr/bin/time -f '%e %U %S' -o "$work/t" "${clean[@]}" strace -f --seccomp-bpf -ttt -e trace=sendto -o "$work/s" \
      "${cmd[@]}" >/dev/null 2>&1 || true
    local t1; t1=$(grep -m1 'inet_addr("127.0.0.1")' "$work/s" | awk '{print $2}')
    [ "$v" = floor ] && t1=
    echo "$(cat "$work/t") ${t1:+$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')}"
  else
    /usr/bin/time -f '%e %U %S' -o "$work/t" "${clean[@]}" "${cmd[@]}" >/dev/null 2>&1 || true
    cat "$work/t"
  fi
}

echo "bench startup: $runs runs, load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores" >&2
for r in $(seq 1 "$runs"); do
  for c in "${commands[@]}"; do
    for v in "${variants[@]}"; do
      # shellcheck disable=SC2086
      echo "$c|$v|$(run_one "$v" $c)" >>"$work/results"
    done
  done
  echo "bench startup: run $r of $runs done" >&2
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo "Start-up: $runs interleaved runs; load average $load_after after, $(nproc) cores; $(java -version 2>&1 | head -1)"
echo "| command | variant | wall median (min) | CPU user+sys median | first packet median |"
echo "|---|---|---|---|---|"
for c in "${commands[@]}"; do
  for v in "${variants[@]}"; do
    label=$v
    case "$v" in
      floor) if [ "$c" = --version ]; then label="floor: java -version"; else label="floor: hello world (C1)"; fi ;;
      this) label="bin/fleetwatch (this build, archive)" ;;
      noarchive) label="bin/fleetwatch without archive" ;;
      baseline) label="baseline: $baseline" ;;
    esac
    awk -F'|' -v c="$c" -v v="$v" '$1 == c && $2 == v {print $3}' "$work/results" | awk -v c="$c" -v l="$label" '
      function median(a, n,   i, j, t) {
        for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
      }
      { n++; w[n] = $1; cpu[n] = $2 + $3; if ($4 != "") { m++; p[m] = $4 } }
      END {
        min = w[1]; for (i = 2; i <= n; i++) if (w[i] < min) min = w[i]
        printf "| `%s` | %s | %.2f s (%.2f) | %.2f s | %s |\n", c, l, median(w, n), min, median(cpu, n),
          (m ? sprintf("%.2f s", median(p, m)) : "")
      }'
  done
done
