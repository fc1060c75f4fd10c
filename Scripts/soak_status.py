#!/usr/bin/env python3
"""Soak of claim status updates: thousands of insurer callbacks in random order, with duplicates, sent to
`claimsbridge serve --watch` while it is killed with SIGKILL and restarted at random.

1. `claimsbridge watch --drain` sends --claims claims (each `submitted`, each with a status event).
2. For each claim a random path through the claim lifecycle (pended, acknowledged, adjudicated, paid, reversed,
   rejected, ...) is written as updates with increasing times; some are repeated; all are shuffled together. Each
   is POSTed to /v1/webhooks/insurers/soak, signed (HMAC-SHA256, hex), one after the other; a request that fails
   because the service was killed is sent again, unchanged, until it is answered.
3. Meanwhile the service is killed with SIGKILL every 0.3 to 1.5 s and started again. Its watcher hands the status
   events to the outbox, which delivers them to a counting HTTPS receiver (Standard Webhooks, checked there).
4. A last `watch --drain` delivers what is left.

Checks: every claim's final state in the ledger equals the state computed here, independently, from the same
updates in the order they were sent (the ledger's rules: a transition the lifecycle does not allow is refused, an
update older than the current state is stale, the same update id twice is one); every status event the ledger
recorded reached the receiver under its key `status-event-N`, with a valid signature, and never two different
bodies under one key; and the events of each claim arrived in order. Repeated POSTs of a key are counted (an
at-least-once outbox repeats a POST whose answer a kill lost).

    python3 Scripts/soak_status.py [--claims 1000] [--duplicates 0.25] [--binary .build/release/claimsbridge] [--seed N]

Exits 0 and prints the figures when everything agrees, 1 otherwise. Everything happens on loopback in a temporary
folder.
"""
import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

import soak_outbox

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The claim lifecycle (Docs/status.md), written here again rather than read from the code.
ALLOWED = {
    "submitted": {"pended", "acknowledged", "adjudicated", "rejected", "reversed", "paperClaimRequested"},
    "pended": {"acknowledged", "adjudicated", "rejected", "reversed", "paperClaimRequested"},
    "acknowledged": {"adjudicated", "paid", "reversed"},
    "adjudicated": {"paid", "reversed"},
    "paid": {"reversed"},
    "rejected": set(), "reversed": set(), "paperClaimRequested": set(),
}
PATHS = [
    ["acknowledged", "adjudicated", "paid"],
    ["pended", "adjudicated", "paid", "reversed"],
    ["pended", "acknowledged", "paid"],
    ["adjudicated", "paid"],
    ["pended", "rejected"],
    ["rejected"],
    ["acknowledged", "reversed"],
    ["pended", "paperClaimRequested"],
]
SECRET = "soak-insurer-secret-0123456789abcdef"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def model(updates, claims):
    """Final state per office sequence number, applying the updates in the order sent with the ledger's rules."""
    state = {sequence: ("submitted", 0) for sequence in claims}
    seen = set()
    for update in updates:
        if update["id"] in seen:
            continue
        seen.add(update["id"])
        current, at = state[update["officeSequenceNumber"]]
        if update["at"] < at or update["status"] not in ALLOWED[current]:
            continue
        state[update["officeSequenceNumber"]] = (update["status"], update["at"])
    return {sequence: value[0] for sequence, value in state.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--duplicates", type=float, default=0.25)
    parser.add_argument("--binary", default=os.path.join(REPOSITORY, ".build/release/claimsbridge"))
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print("seed %d" % seed)
    root = tempfile.mkdtemp(prefix="claimsbridge-soak-status-")
    for folder in ["claims", "carrier", "secrets"]:
        os.makedirs(os.path.join(root, folder))
    certificates = soak_outbox.make_certificates(os.path.join(root, "secrets"))
    webhook_secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    record = os.path.join(root, "requests.jsonl")
    receiver = subprocess.Popen(
        ["python3", soak_outbox.RECEIVER, "--port", "0", "--cert", certificates["server.pem"], "--key",
         certificates["server.key"], "--record", record, "--webhook-secret", webhook_secret],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    ready = receiver.stdout.readline().decode().split()
    with open(os.path.join(root, "secrets/insurer.secret"), "w") as f:
        f.write(SECRET)
    with open(os.path.join(root, "secrets/webhook.secret"), "w") as f:
        f.write(webhook_secret)
    port = free_port()
    with open(os.path.join(root, "delivery.yaml"), "w") as f:
        f.write("outbox: {path: state/outbox.sqlite, initialDelaySeconds: 0.2, maxDelaySeconds: 2, leaseSeconds: 3}\n"
                "destinations:\n"
                "  carrier: {type: folder, directory: carrier, namePattern: \"{name}-{key}\"}\n"
                "  practice:\n    type: webhook\n    url: https://127.0.0.1:%s/events\n    caBundle: %s\n"
                "    secret: file:%s\n" % (ready[1], certificates["ca.pem"], os.path.join(root, "secrets/webhook.secret")))
    with open(os.path.join(root, "routes.yaml"), "w") as f:
        f.write("state: state\ndelivery: delivery.yaml\nmappings: %s\nrescanSeconds: 2\nstatusEvents: practice\n"
                "routes:\n  - {name: claims, inbox: claims, stableSeconds: 0, from: json, to: cdanet, deliver: [carrier]}\n"
                % os.path.join(REPOSITORY, "Mappings"))
    with open(os.path.join(root, "service.yaml"), "w") as f:
        f.write("listen: 127.0.0.1:%d\nroutes: routes.yaml\nwatch: true\n"
                "insurerCallbacks:\n  soak:\n    signature: hmac-sha256\n    header: X-Signature\n    encoding: hex\n"
                "    secrets: [\"file:secrets/insurer.secret\"]\n" % port)
    template = json.loads(open(os.path.join(REPOSITORY, "Fixtures/cdanet/v04/01-claim-basic.expected.json")).read())
    claims = ["%06d" % (100000 + n) for n in range(args.claims)]
    with open(os.path.join(root, "claims/claims.jsonl"), "w") as f:
        for sequence in claims:
            template["routing"]["officeSequenceNumber"] = sequence
            f.write(json.dumps(template) + "\n")
    log = open(os.path.join(root, "claimsbridge.log"), "ab")
    watch = [args.binary, "watch", "--config", os.path.join(root, "routes.yaml"), "--drain", "--log-level", "error"]
    if subprocess.run(watch, stderr=log, timeout=600).returncode != 0:
        print("the first watcher run failed; see %s" % log.name)
        return 1

    # The updates: a path per claim, times increasing along it, some repeated, all shuffled.
    base = int(time.time()) + 120
    updates = []
    for sequence in claims:
        for step, status in enumerate(rng.choice(PATHS)):
            updates.append({"id": "%s-%d" % (sequence, step), "officeSequenceNumber": sequence, "status": status,
                            "at": base + 10 * step + rng.randrange(5)})
    updates += [dict(update) for update in rng.sample(updates, int(len(updates) * args.duplicates))]
    rng.shuffle(updates)

    serve = [args.binary, "serve", "--config", os.path.join(root, "service.yaml"), "--log-level", "error"]
    lock = threading.Lock()
    current = {"process": subprocess.Popen(serve, stdout=subprocess.DEVNULL, stderr=log)}
    stop = threading.Event()
    kills = [0]

    def killer():
        while not stop.wait(rng.uniform(0.3, 1.5)):
            with lock:
                current["process"].send_signal(signal.SIGKILL)
                current["process"].wait()
                kills[0] += 1
                current["process"] = subprocess.Popen(serve, stdout=subprocess.DEVNULL, stderr=log)

    started = time.monotonic()
    thread = threading.Thread(target=killer)
    thread.start()
    attempts = 0
    outcomes = {}
    for update in updates:
        body = json.dumps({
            "id": update["id"], "carrierId": "000125", "officeSequenceNumber": update["officeSequenceNumber"],
            "providerNumber": "123456789", "status": update["status"],
            "occurredAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(update["at"]))}).encode()
        signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        while True:
            attempts += 1
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("POST", "/v1/webhooks/insurers/soak", body=body,
                                   headers={"Content-Type": "application/json", "X-Signature": signature})
                response = connection.getresponse()
                answer = response.read()
                connection.close()
            except (OSError, http.client.HTTPException):
                time.sleep(0.05)
                continue
            if response.status == 503:
                time.sleep(0.05)
                continue
            if response.status != 200:
                print("unexpected answer %d: %s" % (response.status, answer[:300]))
                stop.set()
                thread.join()
                return 1
            for transition in json.loads(answer)["transitions"]:
                outcomes[transition["outcome"]] = outcomes.get(transition["outcome"], 0) + 1
            break
    sending = time.monotonic() - started
    stop.set()
    thread.join()
    with lock:
        current["process"].send_signal(signal.SIGKILL)
        current["process"].wait()
    if subprocess.run(watch, stderr=log, timeout=600).returncode != 0:
        print("the last watcher run failed; see %s" % log.name)
        return 1
    elapsed = time.monotonic() - started

    # Final states: the ledger against the model.
    database = sqlite3.connect(os.path.join(root, "state/ledger.sqlite"))
    stored = dict(database.execute("SELECT lookup, state FROM tracked_states WHERE kind = 'claim'"))
    expected = model(updates, claims)
    wrong = [s for s in claims if stored.get(s) != expected[s]]
    # Events: every one the ledger recorded reached the receiver under its key, once per key.
    events = {"status-event-%d" % row[0]: bytes(row[1])
              for row in database.execute("SELECT id, payload FROM status_events")}
    # A POST the kill cut short (fewer body bytes than its Content-Length) is not a delivery; it is counted apart.
    entries, truncated = [], 0
    for line in open(record):
        entry = json.loads(line)
        entry["bytes"] = base64.b64decode(entry["body"])
        if len(entry["bytes"]) != int(entry["headers"].get("content-length", "-1")):
            truncated += 1
            continue
        entries.append(entry)
    received = {}
    bad_signatures = 0
    for entry in entries:
        received.setdefault(entry["key"], []).append(entry["bytes"])
        bad_signatures += entry["signatureValid"] is not True
    missing = sorted(set(events) - set(received))
    unexpected = sorted(set(received) - set(events))
    different = [key for key, bodies in received.items() if len(set(bodies)) > 1 or
                 (key in events and bodies[0] != events[key])]
    repeats = sum(len(bodies) - 1 for bodies in received.values())
    # Order per claim: the event ids of one claim in the order they first arrived.
    order, out_of_order = {}, 0
    for entry in entries:
        event = json.loads(entry["bytes"])
        number = int(event["id"].rsplit("-", 1)[1])
        previous = order.get(event["key"])
        if previous is not None and number < previous:
            out_of_order += 1
        order[event["key"]] = max(previous or 0, number)
    receiver.kill()
    print("claims %d, updates sent %d (%d distinct), HTTP attempts %d, SIGKILLs %d" % (
        len(claims), len(updates), len({u["id"] for u in updates}), attempts, kills[0]))
    print("outcomes answered: %s" % ", ".join("%s %d" % item for item in sorted(outcomes.items())))
    print("sending took %.1f s, %.1f s with the last drain" % (sending, elapsed))
    print("final states: %d of %d equal to the independent computation" % (len(claims) - len(wrong), len(claims)))
    print("status events: %d recorded, %d keys delivered, %d missing, %d unknown, %d keys with differing bodies, "
          "%d bad signatures, %d repeated POSTs, %d POSTs cut short by a kill, %d out of order within a claim" % (
              len(events), len(received), len(missing), len(unexpected), len(different), bad_signatures, repeats,
              truncated, out_of_order))
    ok = not wrong and not missing and not unexpected and not different and bad_signatures == 0 and out_of_order == 0
    for sequence in wrong[:10]:
        print("  claim %s: ledger %s, expected %s" % (sequence, stored.get(sequence), expected[sequence]))
    print("result: %s (work folder %s)" % ("ok" if ok else "FAILED", root))
    if ok:
        subprocess.run(["rm", "-rf", root])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
