#!/usr/bin/env python3
"""Soak tests, each about half a minute on a 2-core machine (release build).

watch: drop thousands of files while killing `claimsbridge watch` with SIGKILL and restarting it at random, then
check that every file was delivered exactly once and the ledger agrees.
shared: two `claimsbridge send` processes sharing one outbox against a counting HTTPS receiver, first staggered
with a short lease, then killed at random; checks that no key is POSTed again after the receiver's 200 except
where its sender was killed with that POST in flight (see Scripts/soak_outbox.py).
postgres: three `send` processes sharing one PostgreSQL outbox (a private server started for the run), killed at
random, the database restarted once mid-way; the same checks; then three `watch` processes on one shared inbox,
killed at random (every file delivered and numbered once, see Scripts/soak_shared_inbox.py); then deliveries/s with
1, 2 and 4 senders on PostgreSQL against 1 on SQLite (see Scripts/soak_postgresql.py).

    python3 Scripts/soak.py [--mode all|watch|shared|postgres] [--files 3000] [--kills 40] [--shared-files 300]
                            [--shared-kills 12] [--bench-files 2000] [--binary .build/release/claimsbridge]
                            [--seed N]

It exits with 0 and prints the figures when nothing was lost or duplicated, with 1 otherwise.
Everything happens in a temporary folder on this machine; nothing is sent anywhere.
"""
import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

import soak_outbox
import soak_postgresql

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def claim_bytes(template: bytes, number: int) -> bytes:
    """The fixture claim with a unique office sequence number (bytes 12..18), so every file differs."""
    return template[:12] + b"%06d" % (number % 1_000_000) + template[18:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["all", "watch", "shared", "postgres"], default="all")
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--kills", type=int, default=40)
    parser.add_argument("--shared-files", type=int, default=300)
    parser.add_argument("--shared-kills", type=int, default=12)
    parser.add_argument("--bench-files", type=int, default=2000)
    parser.add_argument("--binary", default=os.path.join(REPOSITORY, ".build/release/claimsbridge"))
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print("seed %d" % seed)
    ok = True
    if args.mode in ("all", "watch"):
        ok = watch_soak(args, random.Random(seed)) and ok
    if args.mode in ("all", "shared"):
        root = tempfile.mkdtemp(prefix="claimsbridge-soak-shared-")
        shared = soak_outbox.run(args.binary, root, random.Random(seed), args.shared_files, args.shared_kills)
        print("result: %s (work folder %s)" % ("0 lost, 0 redundant sends after a 200 that a kill does not explain"
                                                if shared else "FAILED", root))
        if shared:
            subprocess.run(["rm", "-rf", root])
        ok = shared and ok
    if args.mode in ("all", "postgres"):
        root = tempfile.mkdtemp(prefix="claimsbridge-soak-postgres-")
        if os.getuid() == 0:
            subprocess.run(["chmod", "755", root])
        shared = soak_postgresql.run(
            args.binary, root, random.Random(seed), args.shared_files, args.shared_kills, args.bench_files)
        print("result: %s (work folder %s)" % ("0 lost, 0 redundant sends after a 200 that a kill does not explain"
                                                if shared else "FAILED", root))
        if shared:
            subprocess.run(["rm", "-rf", root])
        ok = shared and ok
    return 0 if ok else 1


def watch_soak(args, rng) -> bool:
    """The watcher under SIGKILL; returns whether nothing was lost or duplicated."""
    root = tempfile.mkdtemp(prefix="claimsbridge-soak-")
    inbox, out = os.path.join(root, "inbox"), os.path.join(root, "out")
    os.makedirs(inbox)
    os.makedirs(out)
    with open(os.path.join(root, "delivery.yaml"), "w") as f:
        f.write("outbox:\n  path: state/outbox.sqlite\n  initialDelaySeconds: 0.2\n  leaseSeconds: 3\n"
                "destinations:\n  receiver:\n    type: folder\n    directory: out\n    namePattern: \"{key}-{name}\"\n")
    with open(os.path.join(root, "routes.yaml"), "w") as f:
        f.write("state: state\ndelivery: delivery.yaml\nrescanSeconds: 2\nroutes:\n"
                "  - name: soak\n    inbox: inbox\n    pattern: \"*.txt\"\n    stableSeconds: 0\n"
                "    from: cdanet\n    to: json\n    deliver: receiver\n")
    template = open(os.path.join(REPOSITORY, "Fixtures/cdanet/v04/01-claim-basic.txt"), "rb").read()
    command = [args.binary, "watch", "--config", os.path.join(root, "routes.yaml"),
               "--mappings", os.path.join(REPOSITORY, "Mappings"), "--log-level", "error"]

    def drop_all():
        for number in range(args.files):
            name = "claim-%06d.txt" % number
            temporary = os.path.join(inbox, "." + name + ".tmp")
            with open(temporary, "wb") as f:
                f.write(claim_bytes(template, number))
            os.rename(temporary, os.path.join(inbox, name))
            if number % 50 == 0:
                time.sleep(rng.uniform(0, 0.05))

    started = time.monotonic()
    dropper = threading.Thread(target=drop_all)
    dropper.start()
    kills = 0
    stderr_log = open(os.path.join(root, "watch.log"), "ab")
    while kills < args.kills:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr_log)
        time.sleep(rng.uniform(0.05, 0.6))
        if process.poll() is not None:
            print("the watcher exited by itself with status %d; see %s" % (process.returncode, stderr_log.name))
            return False
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
    dropper.join()
    # A last, undisturbed run finishes whatever is left.
    final = subprocess.run(command + ["--drain"], stdout=subprocess.DEVNULL, stderr=stderr_log, timeout=600)
    elapsed = time.monotonic() - started
    if final.returncode != 0:
        print("the final drain run failed with status %d; see %s" % (final.returncode, stderr_log.name))
        return False

    # The receiver's view: one file per dropped file, named <key>-<name>.
    delivered = {}
    for name in os.listdir(out):
        if name.startswith("."):
            continue
        original = name[name.index("claim-"):].replace(".jsonl", ".txt")
        delivered.setdefault(original, []).append(name)
    expected = {"claim-%06d.txt" % n for n in range(args.files)}
    lost = sorted(expected - set(delivered))
    duplicated = sorted(n for n, copies in delivered.items() if len(copies) > 1)
    unexpected = sorted(set(delivered) - expected)

    ledger = sqlite3.connect(os.path.join(root, "state", "ledger.sqlite"))
    states = dict(ledger.execute("SELECT state, count(*) FROM files GROUP BY state").fetchall())
    recorded_twice = ledger.execute(
        "SELECT count(*) FROM (SELECT sha256 FROM files WHERE state IN ('translated', 'delivered') "
        "GROUP BY sha256 HAVING count(*) > 1)").fetchone()[0]
    in_inbox = [n for n in os.listdir(inbox) if n.endswith(".txt")]
    in_processing = [n for n in os.listdir(os.path.join(inbox, "processing")) if not n.startswith(".")]

    print("watch: %d files dropped, watcher killed with SIGKILL %d times, %.1f s"
          % (args.files, kills, elapsed))
    print("receiver: %d delivered, %d lost, %d duplicated, %d unexpected"
          % (sum(len(c) for c in delivered.values()), len(lost), len(duplicated), len(unexpected)))
    print("ledger: %s; files recorded twice: %d; left in inbox: %d, in processing: %d"
          % (", ".join("%s %d" % kv for kv in sorted(states.items())), recorded_twice, len(in_inbox), len(in_processing)))
    ok = (not lost and not duplicated and not unexpected and recorded_twice == 0 and not in_inbox
          and not in_processing and states.get("delivered", 0) == args.files)
    print("result: %s (work folder %s)" % ("0 lost, 0 duplicated" if ok else "FAILED", root))
    if ok:
        subprocess.run(["rm", "-rf", root])
    return ok


if __name__ == "__main__":
    sys.exit(main())
