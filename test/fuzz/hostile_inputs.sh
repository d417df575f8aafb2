#!/usr/bin/env bash
# Runs each of issue 17's hostile inputs against a wakesim binary and prints a Markdown table: exit
# status, wall time, peak RSS, stderr size and its first line. Not part of ctest (some rows take seconds
# and gigabytes on purpose); the regression tests cover each input. Usage: test/fuzz/hostile_inputs.sh WAKESIM
W=$1
T=$(mktemp -d)
printf '0, 50\n50, oops\n' > $T/matrix.csv
python3 - "$T" <<'PY'
import sys
t=sys.argv[1]
s='base = "mm1"\n'
for a in range(16): s+='[[axis]]\nkey = "queue.key%d"\nrange = { from = 1, to = 16, step = 1 }\n' % a
open(t+'/huge.toml','w').write(s)
open(t+'/nan.toml','w').write('base = "mm1"\n[[axis]]\nkey = "queue.servers"\nrange = { from = nan, to = 4, step = 1 }\n')
open(t+'/keys.toml','w').write('[vms]\n'+''.join('k%d = 1\n'%i for i in range(350000)))
PY
row() {
  local label=$1; shift
  local start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o $T/rss timeout 120 "$@" > $T/out 2> $T/err
  local status=$?
  local wall=$(python3 -c "import time;print(f'{time.time()-$start:.1f}')")
  local first=$(grep -v '^\s*$' $T/err | head -1 | cut -c1-150)
  local bytes=$(wc -c < $T/err)
  printf '| %s | %s | %s s | %s MB | %s B | %s |\n' "$label" "$status" "$wall" "$(( $(tail -1 $T/rss) / 1024 ))" "$bytes" "$first"
}
echo "| input | exit | wall | peak RSS | stderr | first line of stderr |"
echo "|---|---|---|---|---|---|"
row "1 run mm1 --jobs 70000" $W run mm1 --jobs 70000 --out $T/o1
row "1 run mm1 --jobs 0" $W run mm1 --jobs 0 --out $T/o1
row "2 mmpp(0/s:1ms, 0/s:1ms)" $W run default --set 'vms.device_arrivals=mmpp(0/s:1ms, 0/s:1ms)' --set run.duration=20ms --design single-lock --replicates 1 --out $T/o2 --quiet
row "2 lockbench all-zero" $W run lockbench --set 'lockbench.think=const(0)' --set 'lockbench.critical=const(0)' --set lockbench.shared_lines=0 --replicates 1 --out $T/o3 --quiet
row "3 queue.interarrival=const(0)" $W run mm1 --set 'queue.interarrival=const(0)' --replicates 1 --out $T/o4 --quiet
row "3 queue.interarrival=const(1ps)" $W run mm1 --set 'queue.interarrival=const(1ps)' --replicates 1 --out $T/o5 --quiet
row "3 device poisson(1e15/s)" $W run default --set 'vms.device_arrivals=poisson(1e15/s)' --replicates 1 --out $T/o6 --quiet
row "3 device poisson(1G/s)" $W run default --set 'vms.device_arrivals=poisson(1G/s)' --replicates 1 --out $T/o7 --quiet
row "3 device periodic(1ps)" $W run default --set 'vms.device_arrivals=periodic(1ps)' --replicates 1 --out $T/o8 --quiet
row "4 check count=1048576 vcpus=4096" $W check default --set vms.count=1048576 --set vms.vcpus=4096
row "4 run count=1048576 vcpus=1, ulimit -v 4 GiB" bash -c "ulimit -v 4194304; $W run default --set vms.count=1048576 --set vms.vcpus=1 --out $T/o9 --quiet"
row "4 same, --max-memory 100GiB (estimate overridden)" bash -c "ulimit -v 4194304; $W run default --set vms.count=1048576 --set vms.vcpus=1 --max-memory 100GiB --replicates 1 --design single-lock --out $T/o10 --quiet"
row "5 duration 340282366920938463463374607431768211461ps" $W check default --set run.duration=340282366920938463463374607431768211461ps
row "5 duration 1000000000000000000000000000s" $W check default --set run.duration=1000000000000000000000000000s
row "5 vms.request=exp(4000000s)" $W run default --set 'vms.request=exp(4000000s)' --set run.duration=20ms --design single-lock --replicates 1 --out $T/o11 --quiet
row "5 vms.request=lognormal(mean=1us, cv=1e300)" $W check default --set 'vms.request=lognormal(mean=1us, cv=1e300)'
row "6 sweep 16 axes x 16 values (2^64 points)" $W sweep $T/huge.toml --dry-run
row "6 sweep range from = nan" $W sweep $T/nan.toml --dry-run
row "6 capacity --range 1:1e18" $W capacity default --vary vms.count --range 1:1e18 --slo 'wakeup.p99<=50us' --out $T/o12
row "6 capacity --range 1:inf" $W capacity default --vary vms.count --range 1:inf --slo 'wakeup.p99<=50us' --out $T/o13
row "6 capacity --format 'exp({}us){}'" $W capacity mm1 --vary queue.interarrival --range 10:40 --format 'exp({}us){}' --slo 'wait.mean<=5us' --out $T/o14
row "7 check, bad latency matrix" $W check default --set host.preset=icelake-2s --set host.sockets=1 --set host.cores_per_socket=1 --set host.threads_per_core=2 --set host.cache.latency_matrix=$T/matrix.csv --set vms.count=1
row "7 check vms.pcpus=1000 (host has 64)" $W check default --set vms.pcpus=1000
row "7 vms.ipi_probability=nan" $W check default --set vms.ipi_probability=nan
row "7 kernel.lost_wakeup_timeout=1us" $W check default --set kernel.lost_wakeup_timeout=1us
row "7 kernel.lost_wakeup_timeout=1ms, run" $W run default --set kernel.lost_wakeup_timeout=1ms --set run.duration=20ms --design single-lock --replicates 1 --out $T/o15 --quiet
row "8 check /dev/zero" $W check /dev/zero
row "8 replay(/dev/zero)" $W check default --set 'vms.device_arrivals=replay(/dev/zero)'
row "8 latency_matrix=/dev/zero" $W check default --set host.cache.latency_matrix=/dev/zero
row "8 350,000 unknown keys" $W check $T/keys.toml
rm -rf $T
