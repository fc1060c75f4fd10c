#!/usr/bin/env python3
"""One message through the command line, against `claimsbridge --help` measured in the same run.

Runs each command RUNS times (default 30) and prints the median wall-clock and CPU time (user + system, from
wait4) with its ratio to `--help`. The one-message runs use a private cache folder: the first run loads every
mapping and saves the catalog's index; the measured runs compile only the mapping their message needs.
Usage: bench_startup.py path/to/claimsbridge [RUNS]
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(argv, stdin_path, env, runs):
    walls, cpus = [], []
    for _ in range(runs):
        with open(stdin_path or os.devnull, "rb") as stdin, open(os.devnull, "wb") as sink:
            start = time.perf_counter()
            process = subprocess.Popen(argv, stdin=stdin, stdout=sink, stderr=sink, env=env, cwd=ROOT)
            _, status, usage = os.wait4(process.pid, 0)
            walls.append(time.perf_counter() - start)
            process.returncode = os.waitstatus_to_exitcode(status)
            if process.returncode != 0:
                sys.exit(f"{' '.join(argv)} exited {process.returncode}")
            cpus.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def main():
    binary = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    with tempfile.TemporaryDirectory() as cache:
        warm = dict(os.environ, CLAIMSBRIDGE_CACHE_DIR=cache)
        cold = dict(os.environ, CLAIMSBRIDGE_CACHE_DIR="off")
        claim = os.path.join(ROOT, "Fixtures/cdanet/v04/01-claim-basic.txt")
        claim_json = os.path.join(ROOT, "Fixtures/cdanet/v04/01-claim-basic.expected.json")
        cases = [
            ("claimsbridge --help (reference)", [binary, "--help"], None, warm),
            ("one claim, CDAnet -> JSON", [binary, "translate", "--from", "cdanet", "--to", "json"], claim, warm),
            ("one claim, JSON -> CDAnet", [binary, "translate", "--from", "json", "--to", "cdanet"], claim_json, warm),
            ("one claim, CDAnet -> JSON, no cache", [binary, "translate", "--from", "cdanet", "--to", "json"], claim, cold),
        ]
        measure(cases[1][1], claim, warm, 1)  # saves the index
        print(f"{'':40} {'wall ms':>9} {'CPU ms':>9} {'CPU / --help':>13}   (median of {runs} runs)")
        reference = None
        for name, argv, stdin_path, env in cases:
            wall, cpu = measure(argv, stdin_path, env, runs)
            reference = reference or cpu
            print(f"{name:40} {wall:9.1f} {cpu:9.1f} {cpu / reference:12.2f}x")
        print("target: one claim within 2x of --help")


if __name__ == "__main__":
    main()
