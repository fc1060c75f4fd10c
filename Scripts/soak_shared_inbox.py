"""Three `claimsbridge watch` processes on one inbox folder, sharing one PostgreSQL store.

Used by Scripts/soak_postgresql.py (`--mode postgres`). Each watcher has a state folder of its own, as on three
machines; they share the inbox (and its processing/ and archive/ folders), the outbox, the header numbers and the
inbox claims and the ledger. JSON claims without A02/A09 are dropped while the watchers are killed with SIGKILL at
random and restarted, at once or (two kills in five) after longer than the lease, so that the others take its files
over; once, half-way, the database is restarted at once (`pg_ctl -m immediate`: every connection dropped). Then each
runs `--drain` to the end. Checks: every file delivered once (one output per file), numbered once (the A02s delivered
are exactly 1..N: a file processed twice would have taken numbers twice), nothing left in the inbox or processing/,
every inbox claim finished, and the shared ledger holding one processed file and one submitted claim per file.

`throughput` measures files per second: N watchers (`--drain`) sharing one store and one inbox of files dropped
beforehand, against one watcher on SQLite.
"""
import os
import signal
import subprocess
import time

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def claims(count):
    """`count` JSON claims without A02 and A09, each with a fee of its own."""
    text = open(os.path.join(REPOSITORY, "Fixtures/cdanet/v04/01-claim-basic.expected.json")).read()
    text = text.replace('"officeSequenceNumber":"000101",', "").replace(',"carrierTransactionCounter":"00101"', "")
    for index in range(count):
        yield text.replace('"fee":"48.50"', '"fee":"%d.%02d"' % (10 + index // 100, index % 100))


def run(binary, root, server, rng, files, kills, log):
    folder = os.path.join(root, "shared-inbox")
    inbox = os.path.join(folder, "inbox")
    out = os.path.join(folder, "out")
    os.makedirs(inbox)
    os.makedirs(out)
    server.create_database("soak_inbox")
    delivery = os.path.join(folder, "delivery.yaml")
    with open(delivery, "w") as f:
        f.write(server.store_lines("soak_inbox", "leaseSeconds: 3, initialDelaySeconds: 0.2")
                + "destinations:\n  carrier: {type: folder, directory: %s, namePattern: \"{name}-{key}\"}\n" % out)
    names = ["a", "b", "c"]
    for name in names:
        with open(os.path.join(folder, "routes-%s.yaml" % name), "w") as f:
            f.write("state: %s/state-%s\ndelivery: %s\nmappings: %s\nrescanSeconds: 1\nroutes:\n"
                    "  - name: claims\n    inbox: %s\n    pattern: \"*.jsonl\"\n    stableSeconds: 0\n"
                    "    from: json\n    to: cdanet\n    deliver: carrier\n"
                    % (folder, name, delivery, os.path.join(REPOSITORY, "Mappings"), inbox))

    def start(name, drain=False):
        return subprocess.Popen([binary, "watch", "--config", os.path.join(folder, "routes-%s.yaml" % name),
                                 "--log-level", "error"] + (["--drain"] if drain else []),
                                stdout=subprocess.DEVNULL, stderr=log, stdin=subprocess.DEVNULL)

    started = time.monotonic()
    running = {name: start(name) for name in names}
    down_until = {}
    pending = list(claims(files))
    dropped, killed = 0, 0
    database_restarted = False
    while dropped < files or killed < kills or down_until:
        if not database_restarted and dropped >= files // 2:
            server.restart_immediately()
            database_restarted = True
        for text in pending[dropped:dropped + max(1, files // 40)]:
            temporary = os.path.join(inbox, ".c%d.tmp" % dropped)
            with open(temporary, "w") as f:
                f.write(text)
            os.rename(temporary, os.path.join(inbox, "c%d.jsonl" % dropped))
            dropped += 1
        time.sleep(rng.uniform(0.05, 0.4))
        for name, until in list(down_until.items()):
            if time.monotonic() >= until:
                running[name] = start(name)
                del down_until[name]
        alive = [name for name in names if name not in down_until]
        if killed < kills and len(alive) > 1:
            name = rng.choice(alive)
            running[name].send_signal(signal.SIGKILL)
            running[name].wait()
            killed += 1
            if rng.random() < 0.4:
                # Down for longer than the lease: the others take its files over.
                down_until[name] = time.monotonic() + 4
            else:
                running[name] = start(name)
    for process in running.values():
        process.send_signal(signal.SIGTERM)
        process.wait()
    draining = {name: start(name, drain=True) for name in names}
    statuses = [draining[name].wait(timeout=600) for name in names]
    seconds = time.monotonic() - started

    outputs = [name for name in os.listdir(out) if not name.startswith(".")]
    hidden = [name for name in os.listdir(out) if name.startswith(".")]
    numbers = sorted(open(os.path.join(out, name), "rb").read()[12:18].decode() for name in outputs)
    left = [n for n in os.listdir(inbox) if n.endswith(".jsonl")]
    processing = os.path.join(inbox, "processing")
    in_hand = [n for n in os.listdir(processing) if not n.startswith(".")] if os.path.isdir(processing) else []
    finished = server.query("soak_inbox", "SELECT count(*) FROM inbox_claims WHERE state = 'finished'")
    takeovers = server.query("soak_inbox", "SELECT coalesce(sum(takeovers), 0) FROM inbox_claims")
    ledger_files = server.query("soak_inbox", "SELECT count(*) FROM files WHERE state = 'delivered'")
    ledger_claims = server.query("soak_inbox", "SELECT count(*) FROM tracked_states WHERE kind = 'claim'")
    figures = dict(files=files, kills=killed, outputs=len(outputs), distinct_numbers=len(set(numbers)),
                   numbers_exact=numbers == ["%06d" % n for n in range(1, files + 1)], left=len(left),
                   in_hand=len(in_hand), hidden=len(hidden), finished=int(finished), takeovers=int(takeovers), statuses=statuses,
                   ledger_files=int(ledger_files), ledger_claims=int(ledger_claims),
                   database_restarted=database_restarted, seconds=seconds)
    figures["ok"] = (all(s == 0 for s in statuses) and len(outputs) == files and figures["numbers_exact"]
                     and not left and not in_hand and figures["finished"] == files
                     and figures["ledger_files"] == files and figures["ledger_claims"] == files)
    return figures


def report(figures):
    return ("PostgreSQL shared inbox, three watchers killed with SIGKILL %(kills)d times: %(outputs)d outputs for "
            "%(files)d files (and %(hidden)d hidden temporaries of the destination folder, left by kills mid-write), "
            "%(distinct_numbers)d distinct A02 (exactly 1..N: %(numbers_exact)s), %(left)d left in "
            "the inbox, %(in_hand)d in processing/, %(finished)d inbox claims finished, %(takeovers)d takeovers; "
            "shared ledger: %(ledger_files)d files delivered, %(ledger_claims)d claims tracked; database restarted "
            "mid-way: %(database_restarted)s; exit statuses %(statuses)s; %(seconds).1f s" % figures)


def throughput(binary, root, server, workers, files, engine):
    """Seconds for `workers` watchers (`--drain`) sharing one store to translate and deliver `files` claims dropped
    in their inbox beforehand; one watcher on SQLite for `engine == "sqlite"`."""
    folder = os.path.join(root, "watch-throughput-%s-%d" % (engine, workers))
    inbox = os.path.join(folder, "inbox")
    out = os.path.join(folder, "out")
    os.makedirs(inbox)
    os.makedirs(out)
    delivery = os.path.join(folder, "delivery.yaml")
    with open(delivery, "w") as f:
        if engine == "postgres":
            name = "watch_bench_%d" % workers
            server.create_database(name)
            f.write(server.store_lines(name, "leaseSeconds: 30, initialDelaySeconds: 0.2"))
        f.write("destinations:\n  carrier: {type: folder, directory: %s, namePattern: \"{name}-{key}\"}\n" % out)
    for index, text in enumerate(claims(files)):
        with open(os.path.join(inbox, "c%d.jsonl" % index), "w") as f:
            f.write(text)
    processes = []
    started = time.monotonic()
    for worker in range(workers):
        routes = os.path.join(folder, "routes-%d.yaml" % worker)
        with open(routes, "w") as f:
            # rescanSeconds 1: a watcher whose drain ends while another still holds files checks again within a
            # second, so the figure is the work's, not the wait at the end (30 s by default).
            f.write("state: %s/state-%d\ndelivery: %s\nmappings: %s\nrescanSeconds: 1\nroutes:\n"
                    "  - name: claims\n    inbox: %s\n    pattern: \"*.jsonl\"\n    stableSeconds: 0\n"
                    "    from: json\n    to: cdanet\n    deliver: carrier\n"
                    % (folder, worker, delivery, os.path.join(REPOSITORY, "Mappings"), inbox))
        processes.append(subprocess.Popen([binary, "watch", "--config", routes, "--drain", "--log-level", "error"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    statuses = [process.wait() for process in processes]
    seconds = time.monotonic() - started
    delivered = len([name for name in os.listdir(out) if not name.startswith(".")])
    if any(statuses) or delivered != files:
        raise RuntimeError("watch throughput %s x%d: statuses %s, %d of %d delivered"
                           % (engine, workers, statuses, delivered, files))
    return seconds


