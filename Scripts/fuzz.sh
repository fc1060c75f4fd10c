#!/usr/bin/env bash
# Builds every fuzz target in Fuzz/Sources/ (one folder each) with libFuzzer and runs each for a bounded time.
#
#   Scripts/fuzz.sh [target ...]        all targets, or the ones named
#   FUZZ_SECONDS=60                     run time per target (default 60)
#   FUZZ_JOBS=1                         parallel fuzzing processes per target
#   FUZZ_CONFIGURATION=release          or debug (builds much faster, fuzzes slower)
#
# Seeds: Fuzz/Seeds/<target>/ if present, else the fixtures (Fixtures/cdanet for cdanet-* targets, etc.).
# The working corpus grows in Fuzz/Corpus/<target>/ (not committed). A crasher is copied to
# Fuzz/Regressions/<target>/, where the unit tests replay it (CDAnetFuzzRegressionTests); the script
# also replays every saved regression before fuzzing and fails if one still crashes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
configuration=${FUZZ_CONFIGURATION:-release}
export CLAIMSBRIDGE_MAPPINGS="$root/Mappings"
# Let libFuzzer, not the Swift backtracer, handle a crash, so that it writes the crashing input.
export SWIFT_BACKTRACE=enable=no

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for dir in Fuzz/Sources/*/; do targets+=("$(basename "$dir")"); done
fi

echo "== building ${targets[*]} ($configuration, -sanitize=fuzzer)"
# A path dependency's source list is cached in the build description; drop it so new files are seen.
rm -f Fuzz/.build/*/"$configuration"/description.json
swift build -c "$configuration" --package-path Fuzz --sanitize=fuzzer
bin=$(swift build -c "$configuration" --package-path Fuzz --sanitize=fuzzer --show-bin-path)

seeds_for() {
    local target=$1
    if [ -d "Fuzz/Seeds/$target" ]; then echo "Fuzz/Seeds/$target"; return; fi
    case "$target" in
        cdanet-*) echo "Fixtures/cdanet/v04 Fixtures/cdanet/v02 Fixtures/cdanet/invalid" ;;
        json-* | fuzz-json-*) echo "Fixtures/cdanet/v04 Fixtures/partners" ;;
        xml-* | tree-* | fuzz-xml-* | fuzz-tree-*) echo "Fixtures/ramq Fixtures/labs Fixtures/partners" ;;
        *) echo "Fixtures" ;;
    esac
}

status=0
for target in "${targets[@]}"; do
    regressions="Fuzz/Regressions/$target"
    corpus="Fuzz/Corpus/$target"
    artifacts="Fuzz/Artifacts/$target"
    mkdir -p "$regressions" "$corpus" "$artifacts"
    saved=$(find "$regressions" -type f ! -name '.*' ! -name '*.md' | wc -l)
    if [ "$saved" -gt 0 ]; then
        echo "== $target: replaying $saved saved regressions"
        find "$regressions" -type f ! -name '.*' ! -name '*.md' -print0 \
            | xargs -0 "$bin/$target" -runs=1 >/dev/null 2>&1 || { echo "$target: a saved regression still fails"; status=1; continue; }
    fi
    seeds=()
    for dir in $(seeds_for "$target"); do [ -d "$dir" ] && seeds+=("$dir"); done
    echo "== $target: fuzzing for ${seconds}s (seeds: ${seeds[*]:-none})"
    parallel=()
    if [ "$jobs" -gt 1 ]; then parallel=(-jobs="$jobs" -workers="$jobs"); fi
    if ! "$bin/$target" "$corpus" "${seeds[@]}" -max_total_time="$seconds" "${parallel[@]}" \
        -rss_limit_mb=2048 -max_len=65536 -timeout=10 -artifact_prefix="$artifacts/" -print_final_stats=1; then
        status=1
    fi
    for crash in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*; do
        [ -f "$crash" ] || continue
        cp "$crash" "$regressions/"
        echo "$target: kept $(basename "$crash") in $regressions/ (replayed by the unit tests)"
        status=1
    done
done
exit $status
