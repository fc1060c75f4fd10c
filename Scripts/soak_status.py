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

With `--mode postgres` (Scripts/soak_status_postgresql.py) the ledger and the outbox are in a private PostgreSQL
server started for the run, and --workers `serve --watch` processes (3 by default), each with a state folder of its
own as on separate machines, share them: each callback goes to a worker chosen at random (another one when it is
down), one worker at a time is killed with SIGKILL and restarted, and the database is restarted at once (`pg_ctl -m
immediate`) half-way; the last `watch --drain` runs on every worker at once.

Checks: every claim's final state in the ledger equals the state computed here, independently, from the same
updates in the order they were sent (the ledger's rules: a transition the lifecycle does not allow is refused, an
update older than the current state is stale, the same update id twice is one); every status event the ledger
recorded reached the receiver under its key `status-event-N`, with a valid signature, and never two different
bodies under one key; the events of each claim arrived in order; and each event is recorded as handed to the
outbox row under its own key, delivered. A POST of a key after the receiver's 200 is a redundant send; each must be
explained by a kill of the process that made the accepted POST (the POST was in flight, or the 200 came back and
the process died before recording it), or, with PostgreSQL, by the database restart in between.

    python3 Scripts/soak_status.py [--mode sqlite|postgres] [--workers 3] [--claims 1000] [--duplicates 0.25]
                                   [--binary .build/release/claimsbridge] [--seed N] [--keep]

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
# Short leases and retries, so that a killed worker's deliveries are taken over within seconds.
OUTBOX_OPTIONS = "initialDelaySeconds: 0.2, maxDelaySeconds: 2, leaseSeconds: 3"


class Failure(Exception):
    """The run cannot go on (a process failed, or the service gave an answer it must never give)."""


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


class Setup:
    """The work folder: certificates, the webhook receiver, the insurer's secret and the claims file. Each worker's
    files are written by `write_worker`."""

    def __init__(self, root, claim_count):
        self.root = root
        for folder in ["claims", "carrier", "secrets"]:
            os.makedirs(os.path.join(root, folder))
        self.certificates = soak_outbox.make_certificates(os.path.join(root, "secrets"))
        webhook_secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
        self.webhook_secret_file = os.path.join(root, "secrets/webhook.secret")
        with open(self.webhook_secret_file, "w") as f:
            f.write(webhook_secret)
        with open(os.path.join(root, "secrets/insurer.secret"), "w") as f:
            f.write(SECRET)
        self.receiver = soak_outbox.Receiver(root, self.certificates, delay=0, webhook_secret=webhook_secret)
        template = json.loads(open(os.path.join(REPOSITORY, "Fixtures/cdanet/v04/01-claim-basic.expected.json")).read())
        self.claims = ["%06d" % (100000 + n) for n in range(claim_count)]
        with open(os.path.join(root, "claims/claims.jsonl"), "w") as f:
            for sequence in self.claims:
                template["routing"]["officeSequenceNumber"] = sequence
                f.write(json.dumps(template) + "\n")
        self.log = open(os.path.join(root, "claimsbridge.log"), "ab")

    def write_worker(self, name, outbox_lines):
        """The delivery, routes and service files of worker `name` (state folder `state-<name>`, or `state` when
        `name` is empty); its status events go to /events/<name>, so the receiver knows who POSTed. Returns
        (routes file, service file, port)."""
        suffix = "-" + name if name else ""
        port = free_port()
        delivery = os.path.join(self.root, "delivery%s.yaml" % suffix)
        with open(delivery, "w") as f:
            f.write(outbox_lines + "destinations:\n"
                    "  carrier: {type: folder, directory: carrier, namePattern: \"{name}-{key}\"}\n"
                    "  practice:\n    type: webhook\n    url: %s/events/%s\n    caBundle: %s\n    secret: file:%s\n"
                    % (self.receiver.base_url, name or "serve", self.certificates["ca.pem"], self.webhook_secret_file))
        routes = os.path.join(self.root, "routes%s.yaml" % suffix)
        with open(routes, "w") as f:
            f.write("state: state%s\ndelivery: %s\nmappings: %s\nrescanSeconds: 2\nstatusEvents: practice\nroutes:\n"
                    "  - {name: claims, inbox: claims, stableSeconds: 0, from: json, to: cdanet, deliver: [carrier]}\n"
                    % (suffix, delivery, os.path.join(REPOSITORY, "Mappings")))
        service = os.path.join(self.root, "service%s.yaml" % suffix)
        with open(service, "w") as f:
            f.write("listen: 127.0.0.1:%d\nroutes: %s\nwatch: true\n"
                    "insurerCallbacks:\n  soak:\n    signature: hmac-sha256\n    header: X-Signature\n    encoding: hex\n"
                    "    secrets: [\"file:secrets/insurer.secret\"]\n" % (port, routes))
        return routes, service, port

    def drain(self, binary, routes_files):
        """`watch --drain` on every routes file at once; raises Failure unless all exit 0."""
        processes = [subprocess.Popen([binary, "watch", "--config", routes, "--drain", "--log-level", "error"],
                                      stdout=subprocess.DEVNULL, stderr=self.log) for routes in routes_files]
        statuses = [process.wait(timeout=600) for process in processes]
        if any(statuses):
            raise Failure("a `watch --drain` run failed with %s; see %s" % (statuses, self.log.name))


def serve_command(binary, service):
    return [binary, "serve", "--config", service, "--log-level", "error"]


def make_updates(rng, claims, duplicates):
    """A path per claim, times increasing along it, some updates repeated, all shuffled."""
    base = int(time.time()) + 120
    updates = []
    for sequence in claims:
        for step, status in enumerate(rng.choice(PATHS)):
            updates.append({"id": "%s-%d" % (sequence, step), "officeSequenceNumber": sequence, "status": status,
                            "at": base + 10 * step + rng.randrange(5)})
    updates += [dict(update) for update in rng.sample(updates, int(len(updates) * duplicates))]
    rng.shuffle(updates)
    return updates


def send_updates(updates, ports, rng, retry_server_errors, progress=None):
    """POSTs each update, one after the other, to a port chosen at random for each attempt; a request the service
    did not answer (killed) or answered with 503 (or 500, with `retry_server_errors`: the database went away) is
    sent again, unchanged. Returns the figures; raises Failure on any other answer."""
    figures = {"attempts": 0, "outcomes": {}, "unavailable": 0, "server_errors": 0}
    for index, update in enumerate(updates):
        if progress:
            progress(index)
        body = json.dumps({
            "id": update["id"], "carrierId": "000125", "officeSequenceNumber": update["officeSequenceNumber"],
            "providerNumber": "123456789", "status": update["status"],
            "occurredAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(update["at"]))}).encode()
        signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        while True:
            figures["attempts"] += 1
            try:
                connection = http.client.HTTPConnection("127.0.0.1", rng.choice(ports), timeout=10)
                connection.request("POST", "/v1/webhooks/insurers/soak", body=body,
                                   headers={"Content-Type": "application/json", "X-Signature": signature})
                response = connection.getresponse()
                answer = response.read()
                connection.close()
            except (OSError, http.client.HTTPException):
                time.sleep(0.05)
                continue
            if response.status == 503 or (response.status == 500 and retry_server_errors):
                figures["unavailable" if response.status == 503 else "server_errors"] += 1
                time.sleep(0.05)
                continue
            if response.status != 200:
                raise Failure("unexpected answer %d: %s" % (response.status, answer[:300]))
            for transition in json.loads(answer)["transitions"]:
                figures["outcomes"][transition["outcome"]] = figures["outcomes"].get(transition["outcome"], 0) + 1
            break
    return figures


def check_events(requests, events, kills, sender_of):
    """The receiver's requests against the ledger's events ({key: payload}). A POST a kill cut short (fewer body
    bytes than its Content-Length) is not a delivery; it is counted apart, and a later complete POST of its key is
    not redundant. `kills` are (worker, time) pairs, for soak_outbox.analyse."""
    entries, truncated = [], 0
    accepted = set()
    for entry in sorted(requests, key=lambda r: r["received"]):
        entry["bytes"] = base64.b64decode(entry["body"])
        if len(entry["bytes"]) != int(entry["headers"].get("content-length", "-1")):
            truncated += 1
            continue
        entry["duplicate"] = entry["key"] in accepted
        if 200 <= entry["status"] < 300:
            accepted.add(entry["key"])
        entries.append(entry)
    received = {}
    for entry in entries:
        received.setdefault(entry["key"], []).append(entry["bytes"])
    # Order per claim: the event ids of one claim in the order they arrived, repeats included.
    order, out_of_order = {}, 0
    for entry in entries:
        event = json.loads(entry["bytes"])
        number = int(event["id"].rsplit("-", 1)[1])
        previous = order.get(event["key"])
        if previous is not None and number < previous:
            out_of_order += 1
        order[event["key"]] = max(previous or 0, number)
    figures = soak_outbox.analyse(entries, kills, len(events), sender_of=sender_of)
    figures.update(
        recorded=len(events), delivered_keys=len(received), missing=len(set(events) - set(received)),
        unknown=len(set(received) - set(events)),
        different=len([key for key, bodies in received.items()
                       if len(set(bodies)) > 1 or (key in events and bodies[0] != events[key])]),
        bad_signatures=sum(entry["signatureValid"] is not True for entry in entries),
        repeats=sum(len(bodies) - 1 for bodies in received.values()), truncated=truncated, out_of_order=out_of_order)
    return figures


def check_handovers(handovers):
    """Each event's hand-over: (event id, outbox id, the key and state of that outbox row). Returns the number of
    events not handed over, and of those recorded with a row that is not theirs or not delivered."""
    not_handed = sum(1 for _, outbox_id, _, _ in handovers if outbox_id is None)
    wrong = sum(1 for event, outbox_id, key, state in handovers
                if outbox_id is not None and (key != "status-event-%d" % event or state != "delivered"))
    return not_handed, wrong


def report(claims, updates, sending, kills, elapsed, stored, events, handovers, extra=""):
    """Prints the figures; returns whether everything agrees."""
    expected = model(updates, claims)
    wrong = [s for s in claims if stored.get(s) != expected[s]]
    not_handed, wrong_handovers = check_handovers(handovers)
    print("claims %d, updates sent %d (%d distinct), HTTP attempts %d, SIGKILLs %d%s" % (
        len(claims), len(updates), len({u["id"] for u in updates}), sending["attempts"], kills, extra))
    print("outcomes answered: %s" % ", ".join("%s %d" % item for item in sorted(sending["outcomes"].items())))
    print("sending took %.1f s, %.1f s with the last drain" % (sending["seconds"], elapsed))
    print("final states: %d of %d equal to the independent computation" % (len(claims) - len(wrong), len(claims)))
    print("status events: %(recorded)d recorded, %(delivered_keys)d keys delivered, %(missing)d missing, %(unknown)d "
          "unknown, %(different)d keys with differing bodies, %(bad_signatures)d bad signatures, %(repeats)d repeated "
          "POSTs, %(truncated)d POSTs cut short by a kill, %(out_of_order)d out of order within a claim" % events)
    restart = ("%d explained by the database restart; " % events["restart_explained"]
               if "restart_explained" in events else "")
    print("redundant POSTs after a 200: %d (%d whose accepted POST was still at the receiver when its process was "
          "killed, %d whose process was killed after the 200 came back, at most %.2f s after, before recording it; "
          "%s%d unexplained)" % (
              events["redundant"], events["in_flight"], events["unrecorded"], events["latest_kill"], restart,
              events["unexplained"] - events.get("restart_explained", 0)))
    print("hand-overs: %d of %d events handed to the outbox row under their key and delivered; %d not handed over, "
          "%d recorded with another row or undelivered" % (
              len(handovers) - not_handed - wrong_handovers, len(handovers), not_handed, wrong_handovers))
    for sequence in wrong[:10]:
        print("  claim %s: ledger %s, expected %s" % (sequence, stored.get(sequence), expected[sequence]))
    return (not wrong and not events["missing"] and not events["unknown"] and not events["different"]
            and events["bad_signatures"] == 0 and events["out_of_order"] == 0
            and events["unexplained"] == events.get("restart_explained", 0) and not not_handed and not wrong_handovers)


def run_sqlite(args, rng, root):
    """One `serve --watch` process, its ledger and outbox in SQLite files; returns whether everything agrees."""
    setup = Setup(root, args.claims)
    routes, service, port = setup.write_worker(
        "", "outbox: {path: state/outbox.sqlite, %s}\n" % OUTBOX_OPTIONS)
    try:
        setup.drain(args.binary, [routes])
        updates = make_updates(rng, setup.claims, args.duplicates)
        lock = threading.Lock()
        current = {"process": subprocess.Popen(serve_command(args.binary, service), stdout=subprocess.DEVNULL,
                                               stderr=setup.log)}
        stop = threading.Event()
        kills = []

        def killer():
            while not stop.wait(rng.uniform(0.3, 1.5)):
                with lock:
                    current["process"].send_signal(signal.SIGKILL)
                    kills.append(("serve", time.time()))
                    current["process"].wait()
                    current["process"] = subprocess.Popen(serve_command(args.binary, service),
                                                          stdout=subprocess.DEVNULL, stderr=setup.log)

        started = time.monotonic()
        thread = threading.Thread(target=killer)
        thread.start()
        try:
            sending = send_updates(updates, [port], random.Random(rng.random()), retry_server_errors=False)
        finally:
            stop.set()
            thread.join()
            with lock:
                current["process"].send_signal(signal.SIGKILL)
                kills.append(("serve", time.time()))
                current["process"].wait()
        sending["seconds"] = time.monotonic() - started
        setup.drain(args.binary, [routes])
        elapsed = time.monotonic() - started
    finally:
        setup.receiver.stop()

    database = sqlite3.connect(os.path.join(root, "state/ledger.sqlite"))
    database.execute("ATTACH DATABASE ? AS outbox", (os.path.join(root, "state/outbox.sqlite"),))
    stored = dict(database.execute("SELECT lookup, state FROM tracked_states WHERE kind = 'claim'"))
    events = {"status-event-%d" % row[0]: bytes(row[1]) for row in database.execute("SELECT id, payload FROM status_events")}
    handovers = database.execute(
        "SELECT e.id, e.outbox_id, d.idempotency_key, d.state FROM status_events e "
        "LEFT JOIN outbox.delivery d ON d.id = e.outbox_id").fetchall()
    figures = check_events(setup.receiver.requests(), events, kills, sender_of=lambda request: "serve")
    return report(setup.claims, updates, sending, len(kills) - 1, elapsed, stored, figures, handovers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workers", type=int, default=3, help="serve --watch processes (postgres mode)")
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--duplicates", type=float, default=0.25)
    parser.add_argument("--binary", default=os.path.join(REPOSITORY, ".build/release/claimsbridge"))
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs) even when all agrees")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print("seed %d" % seed)
    root = tempfile.mkdtemp(prefix="claimsbridge-soak-status-")
    try:
        if args.mode == "postgres":
            import soak_status_postgresql
            ok = soak_status_postgresql.run(args, rng, root)
        else:
            ok = run_sqlite(args, rng, root)
    except Failure as failure:
        print(failure)
        ok = False
    print("result: %s (work folder %s)" % ("ok" if ok else "FAILED", root))
    if ok and not args.keep:
        subprocess.run(["rm", "-rf", root])
    return 0 if ok else 1


if __name__ == "__main__":
    # Run as the module Scripts/soak_status_postgresql.py imports, so both see the same classes.
    import soak_status
    sys.exit(soak_status.main())
