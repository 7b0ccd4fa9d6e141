# tests/bench/corpus.sh — sourced by the benchmarks (not run itself: it is not
# executable, so `make bench` skips it).  Sets TS, BENCH and CORPUS, and
# bench_ready NAME makes sure the corpus (../shared/bench/gen.py, generated
# once into build/bench/corpus) and the binary are there, or prints why the
# benchmark NAME is skipped and exits 0: a benchmark never fails.
TS=${TS:-./build/typeset}
BENCH=${BENCH:-../shared/bench}
CORPUS=build/bench/corpus

bench_ready() {
    if [ ! -d "$CORPUS/src" ]; then
        if [ ! -f "$BENCH/gen.py" ]; then
            echo "$1: $BENCH not found, skipped"; exit 0
        fi
        python3 "$BENCH/gen.py" -o "$CORPUS" >/dev/null 2>&1 || { echo "$1: corpus generation failed, skipped"; exit 0; }
    fi
    [ -x "$TS" ] || { echo "$1: $TS not built, skipped"; exit 0; }
}
