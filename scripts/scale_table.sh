#!/usr/bin/env bash
# The scale table of issue #17: single scoring and weight sweeps from 72 to 1,000,000 units, each row
# run under `/usr/bin/time -v`, printed as a Markdown table (wall and CPU time, peak RSS, rank summary
# used). On a shared machine the CPU time (user + system) is the steadier figure.
#
#   scripts/scale_table.sh [--rows score|sweep|all] [--timeout SECONDS] [--threads T] [--work DIR]
#                          [--rank-summary exact|auto|binned:B] [--memory-budget BYTES]
#
# * score rows: `examples/scale.rs` (min-max 0-100, arithmetic means, 5 pillars) on a seeded synthetic
#   CSV generated beforehand (not timed), so the row measures read + score + write of one process;
#   the phase times the example prints are shown beside the total.
# * sweep rows: `examples/sweep.rs` (indicator -> sub-pillar -> pillar -> index, ±25 % weight noise,
#   seed 1, one timed run without warm-up: `--warmup 0 --repeats 1`); the time is the whole process, the
#   example's own throughput is shown beside it.
#   --rank-summary (default auto: exact rank histograms where the sweep fits the memory budget,
#   binned otherwise) and --memory-budget (default: the example's, 3/4 of the available memory)
#   are passed to every sweep row. The 1,000,000-unit row keeps 32 score bins per unit (the default
#   256 would take 2 GiB for the result's score histograms alone).
# * a row still running after --timeout seconds (default 120) is stopped and shown as "not run";
#   a row that fails (e.g. a memory-budget error) shows the error's first line.
# * summary: single scoring has none; for sweeps, the line the example prints about its rank summary
#   (`summary: ...`, without the prefix), otherwise "exact rank histograms" (the only summary before
#   #17).
#
# The release examples are built once first. Generated CSVs go to --work (default: a temporary
# directory, removed at the end). Needs GNU time at /usr/bin/time.
set -euo pipefail

rows=all
limit=120
threads=
work=
summary_arg=auto
budget=
while [ $# -gt 0 ]; do
    case "$1" in
        --rows) rows=$2; shift 2 ;;
        --timeout) limit=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --rank-summary) summary_arg=$2; shift 2 ;;
        --memory-budget) budget=$2; shift 2 ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$rows" in score|sweep|all) ;; *) echo "--rows: score, sweep or all" >&2; exit 2 ;; esac
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time" >&2; exit 2; }

cd "$(dirname "$0")/.."
if [ -z "$work" ]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
target=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet --example scale --example sweep
scale_bin="$target/release/examples/scale"
sweep_bin="$target/release/examples/sweep"
thread_args=()
[ -n "$threads" ] && thread_args=(--threads "$threads")
[ -n "$threads" ] && export RAYON_NUM_THREADS=$threads
summary_args=(--rank-summary "$summary_arg")
[ -n "$budget" ] && summary_args+=(--memory-budget "$budget")

# run LOG CMD...: runs CMD under time -v and the timeout; sets status, wall, rss_mb
run() {
    local log=$1; shift
    set +e
    /usr/bin/time -v timeout "$limit" "$@" >"$log.out" 2>"$log.err"
    status=$?
    set -e
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log.err" | tail -1)
    local kb
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log.err" | tail -1)
    rss_mb=$([ -n "$kb" ] && awk -v k="$kb" 'BEGIN { printf "%.0f MB", k / 1024 }' || echo "?")
    local user sys
    user=$(sed -n 's/.*User time (seconds): //p' "$log.err" | tail -1)
    sys=$(sed -n 's/.*System time (seconds): //p' "$log.err" | tail -1)
    cpu=$(awk -v u="${user:-0}" -v s="${sys:-0}" 'BEGIN { printf "%.2f s", u + s }')
}

# seconds from h:mm:ss / m:ss.cc
secs() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f s", s }' <<<"$1"; }

echo "| run | units | indicators | variants | wall time | CPU time | peak RSS | summary | detail |"
echo "|---|---:|---:|---:|---:|---:|---:|---|---|"

if [ "$rows" != sweep ]; then
    for row in "72 50" "2000 200" "10000 200" "100000 200" "100000 50" "1000000 50"; do
        set -- $row
        units=$1 inds=$2
        csv="$work/score_${units}x${inds}.csv"
        [ -f "$csv" ] || "$scale_bin" --units "$units" --indicators "$inds" --seed 1 --generate "$csv" >/dev/null
        run "$work/score_${units}x${inds}" "$scale_bin" --data "$csv" --pillars 5 --out "$work/scores.csv"
        if [ $status -eq 0 ]; then
            d=$(grep -o 'read_s=[^ ]* score_s=[^ ]* write_s=[^ ]*' "$work/score_${units}x${inds}.out" | tr ' ' ',')
            echo "| score | $units | $inds | 1 | $(secs "$wall") | $cpu | $rss_mb | — | $d, csv $(($(stat -c %s "$csv") / 1000000)) MB |"
        elif [ $status -eq 124 ]; then
            echo "| score | $units | $inds | 1 | not run (> ${limit} s) | | | — | |"
        else
            echo "| score | $units | $inds | 1 | failed | $cpu | $rss_mb | — | $(grep -m1 -i error "$work/score_${units}x${inds}.err" || true) |"
        fi
        rm -f "$work/scores.csv"
    done
fi

if [ "$rows" != score ]; then
    # units indicators sub-pillars pillars variants
    for row in "72 79 20 6 1000000" "2000 200 20 5 10000" "10000 50 10 5 1000" "10000 200 20 5 10000" \
        "100000 50 10 5 1000" "1000000 50 10 5 1000"; do
        set -- $row
        units=$1 inds=$2 subs=$3 pils=$4 vars=$5
        log="$work/sweep_${units}x${inds}x${vars}"
        # a million units: 32 score bins (256 would take 2 GiB for the result alone)
        bins_args=()
        [ "$units" -ge 1000000 ] && bins_args=(--score-bins 32)
        run "$log" "$sweep_bin" --units "$units" --indicators "$inds" --subpillars "$subs" --pillars "$pils" \
            --variants "$vars" --spread 0.25 --seed 1 --warmup 0 --repeats 1 "${thread_args[@]}" "${summary_args[@]}" "${bins_args[@]}"
        summary=$(sed -n 's/^summary: //p' "$log.out" | head -1)
        [ -z "$summary" ] && summary="exact rank histograms"
        if [ $status -eq 0 ]; then
            echo "| sweep | $units | $inds | $vars | $(secs "$wall") | $cpu | $rss_mb | $summary | $(grep -o 'variants_per_second=[0-9]*' "$log.out") |"
        elif [ $status -eq 124 ]; then
            echo "| sweep | $units | $inds | $vars | not run (> ${limit} s) | | | | |"
        else
            echo "| sweep | $units | $inds | $vars | failed | $cpu | $rss_mb | | $(grep -m1 -i error "$log.err" | cut -c1-160 || true) |"
        fi
    done
fi
