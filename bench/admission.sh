#!/usr/bin/env bash
# Benchmark: `bulkhead admission serve` under load, over TLS, on this machine
# (the load generator shares the cores). A mixed load: two `hey` processes
# at once, one sending a Deployment that is allowed, one a privileged Pod that
# is denied (restricted PSS + hardening, the default policy). Scenarios: 1, 50
# and 500 connections (500 offering 2,000 reviews/s with -q, the others closed
# loop). Prints p50/p99 and reviews/s per scenario, and Kyverno's published
# figure beside ours as a ratio. Never fails on a missed goal.
# Needs hey and openssl (installed with apt when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK="$ROOT/target/bench/admission"
DURATION=${DURATION:-10s}
rm -rf "$WORK" && mkdir -p "$WORK"

for t in hey openssl; do
  if ! command -v "$t" >/dev/null; then apt-get install -y -qq "$t" >/dev/null 2>&1 || true; fi
  if ! command -v "$t" >/dev/null; then echo "*** SKIPPED: $t not available ***"; exit 0; fi
done
if [ -z "${BK:-}" ]; then   # BK=path/to/bulkhead skips the build
  echo "== building bulkhead (release)"
  cargo build --release -q -p bulkhead
  BK="$ROOT/target/release/bulkhead"
fi

cd "$WORK"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 1 -subj /CN=bench-ca 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tls.key -out tls.csr -subj /CN=localhost 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > ext
openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -extfile ext -out tls.crt 2>/dev/null

cat > allowed.json <<'EOF'
{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"bench-allowed","kind":{"group":"apps","version":"v1","kind":"Deployment"},"resource":{"group":"apps","version":"v1","resource":"deployments"},"namespace":"shop","name":"web","operation":"CREATE","userInfo":{"username":"ci","groups":["system:authenticated"]},"object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"serviceAccountName":"web","automountServiceAccountToken":false,"securityContext":{"runAsNonRoot":true,"runAsUser":10001,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"web","image":"shop/web:1.4.2@sha256:5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e","ports":[{"containerPort":8080}],"resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"cpu":"500m","memory":"128Mi"}},"livenessProbe":{"httpGet":{"path":"/healthz","port":8080}},"readinessProbe":{"httpGet":{"path":"/ready","port":8080}},"securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}}}]}}}}}}
EOF
cat > denied.json <<'EOF'
{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"bench-denied","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"namespace":"shop","name":"debug","operation":"CREATE","userInfo":{"username":"alice","groups":["system:authenticated"]},"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"debug","namespace":"shop"},"spec":{"hostPID":true,"containers":[{"name":"debug","image":"busybox:latest","securityContext":{"privileged":true}}],"volumes":[{"name":"root","hostPath":{"path":"/"}}]}}}}
EOF

# hey sends the URL's host:port as the TLS server name when a port is in the
# URL (not a valid SNI, which rustls refuses); on port 443 the URL has none.
PORT=${PORT:-443}
"$BK" admission serve --listen "127.0.0.1:$PORT" --cert tls.crt --key tls.key --quiet 2> serve.log &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '"listening"' serve.log && break; sleep 0.1; done
grep -q '"listening"' serve.log || { cat serve.log; exit 1; }
ADDR=localhost
[ "$PORT" = 443 ] || ADDR="localhost:$PORT"
URL="https://$ADDR/validate"
curl -sf --cacert ca.crt "https://$ADDR/readyz" >/dev/null
# Sanity: one allowed, one denied.
curl -s --cacert ca.crt -d @allowed.json "$URL" | grep -q '"allowed":true'
curl -s --cacert ca.crt -d @denied.json "$URL" | grep -q '"allowed":false'

# p50/p99 in ms, and requests/s, from hey's text output.
summ() {
  awk '/Requests\/sec/ {rps=$2} / 50% in/ {p50=$3*1000} / 99% in/ {p99=$3*1000}
       /\[200\]/ {ok=$2} END {printf "%s %.2f %.2f %s\n", rps, p50, p99, ok}' "$1"
}

# Server-side p50/p99 (request read to response written) for the reviews
# since the previous call, from the /metrics histogram bucket bounds.
METRICS_PREV="$WORK/metrics.prev"
curl -s --cacert ca.crt "https://$ADDR/metrics" > "$METRICS_PREV"
server_q() {
  curl -s --cacert ca.crt "https://$ADDR/metrics" > "$WORK/metrics.now"
  python3 - "$METRICS_PREV" "$WORK/metrics.now" <<'PY'
import re, sys
def buckets(f):
    out = {}
    for l in open(f):
        m = re.match(r'bulkhead_admission_request_duration_seconds_bucket\{endpoint="validate",le="([^"]+)"\} (\d+)', l)
        if m: out[m.group(1)] = int(m.group(2))
    return out
a, b = buckets(sys.argv[1]), buckets(sys.argv[2])
les = list(b)
delta = [(le, b[le] - a.get(le, 0)) for le in les]
total = delta[-1][1] or 1
def q(p):
    for le, n in delta:
        if n >= p * total: return le
print(f"server-side: p50 <= {float(q(0.5))*1000:g} ms, p99 <= {float(q(0.99))*1000 if q(0.99) != '+Inf' else float('inf'):g} ms ({total} reviews)")
PY
  cp "$WORK/metrics.now" "$METRICS_PREV"
}

run() { # name connections extra-hey-args...
  local name=$1 c=$2; shift 2
  local half=$(( c > 1 ? c / 2 : 1 ))
  hey -z "$DURATION" -c "$half" -m POST -T application/json -D allowed.json "$@" "$URL" > "$WORK/$name-allowed.txt" &
  local a=$!
  hey -z "$DURATION" -c "$half" -m POST -T application/json -D denied.json "$@" "$URL" > "$WORK/$name-denied.txt" &
  local d=$!
  wait $a $d
  read -r ra pa50 pa99 oka < <(summ "$WORK/$name-allowed.txt")
  read -r rd pd50 pd99 okd < <(summ "$WORK/$name-denied.txt")
  printf "%-28s %9.0f %8s/%-8s %8s/%-8s %s\n" "$name" "$(echo "$ra + $rd" | bc)" "$pa50" "$pd50" "$pa99" "$pd99" "ok=$oka+$okd"
  echo "$pa99 $pd99" > "$WORK/$name.p99"
  echo "    $(server_q)"
}

command -v bc >/dev/null || apt-get install -y -qq bc >/dev/null 2>&1
echo
echo "== bulkhead admission serve, mixed allowed/denied reviews over TLS, $DURATION each ($(nproc) cores, hey on the same cores)"
printf "%-28s %9s %17s %17s\n" "scenario" "reviews/s" "p50 ms (al/de)" "p99 ms (al/de)"
# One connection: each hey sends one review at a time, in turn.
hey -z "$DURATION" -c 1 -m POST -T application/json -D allowed.json "$URL" > c1-allowed.txt
hey -z "$DURATION" -c 1 -m POST -T application/json -D denied.json "$URL" > c1-denied.txt
read -r ra pa50 pa99 _ < <(summ c1-allowed.txt)
read -r rd pd50 pd99 _ < <(summ c1-denied.txt)
printf "%-28s %9.0f %8s/%-8s %8s/%-8s\n" "1 connection (closed loop)" "$(echo "($ra + $rd) / 2" | bc)" "$pa50" "$pd50" "$pa99" "$pd99"
echo "    $(server_q)"
run "50 connections (closed)" 50
run "500 connections, 2000 per s" 500 -q 4
# The same offered load, 500 connections at 4 reviews/s each, from ten hey
# processes of 50 connections started 25 ms apart. One hey process fires all
# its workers' rate-limited requests at the same instant (each worker's
# ticker starts together), so the run above is 500 simultaneous arrivals
# every 250 ms on 2 shared cores: a lockstep burst no API server produces.
# Staggered, the arrivals are ten bursts of 50 per period. Over
# STAGGER_DURATION (60 s by default) the 500 first requests, which pay the
# TLS handshake, are under 1 % of the ~120,000, so p99 is the steady state.
STAGGER_DURATION=${STAGGER_DURATION:-60s}
HEYS=()
for i in $(seq 0 9); do
  f=allowed.json; [ $((i % 2)) = 1 ] && f=denied.json
  hey -z "$STAGGER_DURATION" -c 50 -q 4 -m POST -T application/json -D "$f" "$URL" > "$WORK/stagger-$i.txt" &
  HEYS+=($!)
  sleep 0.025
done
wait "${HEYS[@]}"
SP99=0; SRPS=0; SOK=0
for i in $(seq 0 9); do
  read -r r _ p99 ok < <(summ "$WORK/stagger-$i.txt")
  SRPS=$(echo "$SRPS + $r" | bc); SOK=$((SOK + ${ok:-0}))
  SP99=$(echo "if ($p99 > $SP99) $p99 else $SP99" | bc)
done
printf "%-28s %9.0f %17s %8s (worst of 10) ok=%s\n" "500 conns, 2000/s, staggered" "$SRPS" "" "$SP99" "$SOK"
echo "    $(server_q)"
echo
P99=$(awk '{print ($1 > $2) ? $1 : $2}' "$WORK/500 connections, 2000 per s.p99")
echo "Kyverno (published scaling figures, 1 replica, 500 concurrent users, CEL ValidatingPolicy, 16 PSS policies): p99 1247 ms"
echo "bulkhead at 500 connections, 2,000 reviews/s offered: p99 ${P99} ms lockstep, ${SP99} ms staggered  ->  ratio $(echo "scale=0; 1247 / $P99" | bc)x / $(echo "scale=0; 1247 / $SP99" | bc)x lower"
echo
curl -s --cacert ca.crt "https://$ADDR/metrics" | grep -E '^bulkhead_admission_(decisions_total|rejected|deadline)' || true
kill -TERM $PID
wait $PID || true
tail -1 serve.log
