#!/usr/bin/env bash
# Submit a sharded compind sweep to Slurm: one array task per shard, then a merge job that waits for
# all of them (afterok). Prints the two job ids.
#
# usage: submit.sh COMPIND OUTDIR SHARDS SWEEP_ARGS...
#   COMPIND     path to the compind binary (cargo install composite-indicators --features cli)
#   OUTDIR      directory on a file system every node sees; shard_I.json, all.json, ua.csv go there
#   SHARDS      number of array tasks (shards)
#   SWEEP_ARGS  the options of `compind sweep` (inputs, --variants, --seed, --spread ...)
# Extra sbatch options (partition, account, time) go in SBATCH_EXTRA, e.g. SBATCH_EXTRA="-p short".
set -euo pipefail
if [ $# -lt 4 ]; then
  sed -n '2,10p' "$0"
  exit 2
fi
COMPIND=$1 OUTDIR=$2 SHARDS=$3
shift 3
SWEEP_ARGS="$*"
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUTDIR"
export COMPIND OUTDIR SHARDS SWEEP_ARGS
# shellcheck disable=SC2086 # SBATCH_EXTRA is a list of options
array=$(sbatch --parsable ${SBATCH_EXTRA:-} --export=ALL --array="1-$SHARDS" \
  --output="$OUTDIR/shard_%a.log" "$here/sweep_array.sbatch")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_EXTRA:-} --export=ALL --dependency="afterok:$array" \
  --output="$OUTDIR/merge.log" "$here/merge.sbatch")
echo "array $array merge ${merge%%;*}"
