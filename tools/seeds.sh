#!/bin/sh
# Run the tests that use hypothesis under many seeds (issue 12: "20 runs of the suite with
# different hypothesis seeds all pass"). The other tests draw nothing at random, so a seed
# cannot change them. Usage: tools/seeds.sh [FIRST] [LAST]   (default 1 20)
# SEED_TESTS picks the files (default: every file that uses hypothesis; schemathesis, in
# tests/test_web_schema.py, takes about 10 minutes a seed on 2 cores, the others about 1).
# Prints one line per seed; exits 1 if any seed fails (its output is kept in seeds-N.log).
first=${1:-1}
last=${2:-20}
tests=${SEED_TESTS:-"tests/test_engine.py tests/test_cli_fuzz.py tests/test_web_schema.py"}
failed=0
for seed in $(seq "$first" "$last"); do
    started=$(date +%s)
    # shellcheck disable=SC2086
    if HYPOTHESIS_PROFILE=seeded python -m pytest -p no:cacheprovider \
        --hypothesis-seed="$seed" $tests > "seeds-$seed.log" 2>&1; then
        echo "seed $seed: $(tail -1 "seeds-$seed.log" | tr -d '=' | sed 's/^ *//') ($(( $(date +%s) - started )) s)"
        rm -f "seeds-$seed.log"
    else
        echo "seed $seed: FAILED, see seeds-$seed.log"
        failed=1
    fi
done
exit $failed
