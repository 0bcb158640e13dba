#!/usr/bin/env bash
# Slurm smoke test: a one-node Slurm cluster on localhost runs a sharded compind sweep as a job array
# plus a dependent merge job, and the merged result must be byte-identical to one single-process run.
#
# usage: scripts/slurm/smoke.sh [SHARDS] [VARIANTS]      (defaults: 4 shards, 200000 variants)
#
# Needs root (it installs slurm-wlm and munge from Debian's packages when they are missing, and
# starts munged, slurmctld and slurmd, which it stops again on exit). Everything it writes goes to a
# temporary directory (kept, and printed, for inspection). Not run by CI: run it by hand.
set -euo pipefail
SHARDS=${1:-4}
VARIANTS=${2:-200000}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/compind-slurm.XXXXXX)
chmod 755 "$work"
echo "== work dir $work"

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "== installing slurm-wlm and munge"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

echo "== building compind (release, --features cli)"
cargo build --release --features cli --bin compind --manifest-path "$repo/Cargo.toml" -q
target_dir=$(cargo metadata --format-version 1 --no-deps --manifest-path "$repo/Cargo.toml" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
COMPIND="$target_dir/release/compind"

# --- a one-node cluster on localhost -----------------------------------------------------------
host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
mkdir -p "$work/state" "$work/spool" "$work/log"
cat >"$work/slurm.conf" <<CONF
ClusterName=smoke
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=smoke Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"

cleanup() {
  [ -f "$work/slurmd.pid" ] && kill "$(cat "$work/slurmd.pid")" 2>/dev/null || true
  [ -f "$work/slurmctld.pid" ] && kill "$(cat "$work/slurmctld.pid")" 2>/dev/null || true
  [ -n "${munge_pid:-}" ] && kill "$munge_pid" 2>/dev/null || true
}
trap cleanup EXIT

echo "== starting munged, slurmctld, slurmd"
mkdir -p /run/munge "$work/munge"
chown munge:munge /run/munge "$work/munge"
[ -s /etc/munge/munge.key ] || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1k count=1 2>/dev/null; }
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
if ! pgrep -x munged >/dev/null; then
  runuser -u munge -- /usr/sbin/munged --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log"
  munge_pid=$(cat "$work/munge/munged.pid")
fi
/usr/sbin/slurmctld -f "$SLURM_CONF"
/usr/sbin/slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
  sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)' && break
  sleep 1
done
sinfo

# --- the sweep: single process, then sharded through Slurm ---------------------------------------
args="--imeta $repo/data/asem/iMeta.csv --idata $repo/data/asem/iData.csv --variants $VARIANTS --spread 0.25 --seed 1"
echo "== single-process run"
t0=$(date +%s.%N)
# shellcheck disable=SC2086
"$COMPIND" sweep $args --quiet --out "$work/single.json"
t1=$(date +%s.%N)

echo "== Slurm: $SHARDS array tasks + dependent merge"
t2=$(date +%s.%N)
# shellcheck disable=SC2086
ids=$("$repo/scripts/slurm/submit.sh" "$COMPIND" "$work/shards" "$SHARDS" $args)
echo "$ids"
merge_id=${ids##* }
for _ in $(seq 600); do
  state=$(scontrol show job "$merge_id" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
  case "$state" in
    COMPLETED) break ;;
    FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY)
      echo "merge job $state"; cat "$work/shards"/*.log; exit 1 ;;
  esac
  sleep 1
done
t3=$(date +%s.%N)
[ "$state" = COMPLETED ] || { echo "merge job did not finish (state $state)"; exit 1; }

echo "== comparison"
ls -l "$work/shards"
if cmp "$work/single.json" "$work/shards/all.json"; then
  echo "IDENTICAL: merged $SHARDS shards == single run ($(wc -c <"$work/single.json") bytes, sha256 $(sha256sum <"$work/single.json" | cut -c1-16))"
else
  echo "DIFFERENT: merged result differs from the single run"; exit 1
fi
printf 'wall: single process %.1f s, Slurm array + merge %.1f s (%s shards, %s variants)\n' \
  "$(awk "BEGIN{print $t1 - $t0}")" "$(awk "BEGIN{print $t3 - $t2}")" "$SHARDS" "$VARIANTS"
