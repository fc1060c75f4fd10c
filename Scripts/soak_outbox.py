"""Soak of one outbox shared by two `claimsbridge send` processes, against a counting HTTPS receiver.

Used by Scripts/soak.py. Two phases:

1. staggered: a slow receiver (1 s per request), `leaseSeconds: 3`, and a second sender started 4 s after the
   first with the same files; no kills. Every key must be POSTed exactly once and both senders must exit 0.
2. kills: two senders with the same files run side by side and are killed with SIGKILL at random and
   restarted; then both run to the end. The receiver counts POSTs per key. A POST of a key after the receiver
   has already answered 200 for it is a redundant send. The only ones an at-least-once sender cannot avoid are
   those whose sender process was killed with the accepted POST in flight or before it recorded the answer
   (the run of that process ended in a SIGKILL after the POST and before the repeat); the delay between the
   200 and such a kill is reported. Every other redundant send is a failure: a process that lived on would have
   recorded the 200, and another process would not have taken over a delivery whose lease it kept renewing.

Each sender's configuration adds `X-Sender: a` or `b`, so the receiver knows which process sent each POST.
"""
import json
import os
import signal
import subprocess
import time

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECEIVER = os.path.join(REPOSITORY, "Tests/ClaimsBridgeTransportsTests/Servers/https_receiver.py")


def make_certificates(folder):
    """A CA and a server certificate for 127.0.0.1, made with the openssl tool."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]

    def openssl(*arguments):
        subprocess.run(["openssl", *arguments], cwd=folder, check=True, capture_output=True)

    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Soak-CA")
    with open(os.path.join(folder, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "2", "-extfile", "san.ext", "-out", "server.pem")
    return {name: os.path.join(folder, name) for name in ["ca.pem", "server.pem", "server.key"]}


class Receiver:
    """The test suite's HTTPS receiver, recording one JSON line per POST; with `webhook_secret` (`whsec_…`) it also
    checks each request's Standard Webhooks signature."""

    def __init__(self, folder, certificates, delay, webhook_secret=None):
        self.record = os.path.join(folder, "requests.jsonl")
        command = ["python3", RECEIVER, "--port", "0", "--cert", certificates["server.pem"], "--key",
                   certificates["server.key"], "--record", self.record, "--delay", str(delay)]
        if webhook_secret:
            command += ["--webhook-secret", webhook_secret]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        line = self.process.stdout.readline().decode().split()
        if len(line) != 2 or line[0] != "READY":
            raise RuntimeError("the HTTPS receiver did not start")
        self.base_url = "https://127.0.0.1:%s" % line[1]
        self.url = self.base_url + "/inbox"

    def requests(self):
        if not os.path.exists(self.record):
            return []
        with open(self.record) as f:
            return [json.loads(line) for line in f if line.strip()]

    def stop(self):
        self.process.kill()
        self.process.wait()


def write_setup(folder, receiver, certificates, files, lease_seconds):
    """Two configurations sharing one outbox (differing only in X-Sender), and the claim files."""
    configs = {}
    for sender in ["a", "b"]:
        configs[sender] = os.path.join(folder, "delivery-%s.yaml" % sender)
        with open(configs[sender], "w") as f:
            f.write("outbox: {path: %s, leaseSeconds: %s, initialDelaySeconds: 0.2, maxDelaySeconds: 2}\n"
                    "destinations:\n  partner:\n    type: https\n    url: %s\n    caBundle: %s\n"
                    "    contentType: application/json\n    headers: {X-Sender: %s}\n"
                    % (os.path.join(folder, "outbox.sqlite"), lease_seconds, receiver.url, certificates["ca.pem"],
                       sender))
    return configs, write_files(folder, files)


def write_files(folder, count):
    """`count` small claim files, each different."""
    paths = []
    for number in range(count):
        path = os.path.join(folder, "claim-%05d.json" % number)
        with open(path, "w") as f:
            f.write('{"claim": %d, "office_sequence": "%06d"}' % (number, number))
        paths.append(path)
    return paths


class Senders:
    """Starts `send` processes for sender a or b and keeps track of them."""

    def __init__(self, binary, configs, files, log):
        self.binary, self.configs, self.files, self.log = binary, configs, files, log

    def start(self, sender):
        command = [self.binary, "send", "--config", self.configs[sender], "--to", "partner", "--wait", "120",
                   "--log-level", "warning"] + self.files
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=self.log)


def analyse(requests, kills, files, sender_of=lambda request: request["headers"].get("x-sender")):
    """POSTs per key, redundant sends after a 200, and which of them a kill explains. `kills` are (sender, time)
    pairs; `sender_of` tells which sender made a request (by default its X-Sender header)."""
    first_accepted = {}
    redundant = []
    for request in sorted(requests, key=lambda r: r["received"]):
        key = request["key"]
        if request["duplicate"]:
            redundant.append(request)
        elif 200 <= request["status"] < 300 and key not in first_accepted:
            first_accepted[key] = request
    in_flight = unrecorded = 0
    latest = 0.0
    others = []
    for request in redundant:
        first = first_accepted.get(request["key"])
        sender = sender_of(first) if first else None
        # The kill that ended the process which got the first 200 (the next kill of that sender after it).
        ended = min((at for who, at in kills if first and who == sender and at >= first["received"]), default=None)
        if ended is None or ended > request["received"]:
            others.append((request, first))
            continue
        if ended <= first["answered"]:
            in_flight += 1
        else:
            unrecorded += 1
            latest = max(latest, ended - first["answered"])
    explained = in_flight + unrecorded
    return {
        "posts": len(requests), "keys": len(first_accepted), "missing": files - len(first_accepted),
        "redundant": len(redundant), "explained": explained, "unexplained": len(redundant) - explained,
        "in_flight": in_flight, "unrecorded": unrecorded, "latest_kill": latest,
        "redundant_keys": len({r["key"] for r in redundant}),
        # Each redundant request no kill explains, with the first accepted request of its key (None if there is none).
        "not_explained_by_kills": others,
    }


def staggered_phase(binary, root, certificates, log):
    """The scenario of the report: leaseSeconds 3, 1 s per request, 30 files, a second sender 4 s later."""
    folder = os.path.join(root, "staggered")
    os.makedirs(folder)
    receiver = Receiver(folder, certificates, delay=1.0)
    try:
        configs, files = write_setup(folder, receiver, certificates, 30, lease_seconds=3)
        senders = Senders(binary, configs, files, log)
        first = senders.start("a")
        time.sleep(4)
        second = senders.start("b")
        statuses = [first.wait(timeout=300), second.wait(timeout=300)]
        figures = analyse(receiver.requests(), [], 30)
    finally:
        receiver.stop()
    figures["statuses"] = statuses
    figures["ok"] = statuses == [0, 0] and figures["posts"] == 30 and figures["missing"] == 0
    return figures


def kill_phase(binary, root, certificates, log, rng, files, kills):
    """Two senders, killed at random and restarted `kills` times, then run to the end."""
    folder = os.path.join(root, "kills")
    os.makedirs(folder)
    receiver = Receiver(folder, certificates, delay=0.05)
    try:
        configs, paths = write_setup(folder, receiver, certificates, files, lease_seconds=2)
        senders = Senders(binary, configs, paths, log)
        running = {"a": senders.start("a"), "b": senders.start("b")}
        killed = []
        # Stops killing once both senders have finished by themselves (everything is delivered).
        while len(killed) < kills and any(process.poll() is None for process in running.values()):
            time.sleep(rng.uniform(0.2, 1.0))
            sender = rng.choice(["a", "b"])
            process = running[sender]
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                killed.append((sender, time.time()))
                process.wait()
                running[sender] = senders.start(sender)
        statuses = [running[sender].wait(timeout=600) for sender in ["a", "b"]]
        figures = analyse(receiver.requests(), killed, files)
    finally:
        receiver.stop()
    figures["statuses"] = statuses
    figures["kills"] = len(killed)
    figures["ok"] = statuses == [0, 0] and figures["missing"] == 0 and figures["unexplained"] == 0
    return figures


def run(binary, root, rng, files, kills):
    """Runs both phases, prints their figures, and returns whether both passed."""
    certificates = make_certificates(root)
    log = open(os.path.join(root, "senders.log"), "ab")
    started = time.monotonic()
    staggered = staggered_phase(binary, root, certificates, log)
    print("shared outbox, staggered (leaseSeconds 3, 1 s per request, 30 files, second sender 4 s later): "
          "%d POSTs for %d keys, %d redundant sends after a 200, exit statuses %s"
          % (staggered["posts"], staggered["keys"], staggered["redundant"], staggered["statuses"]))
    killing = kill_phase(binary, root, certificates, log, rng, files, kills)
    print("shared outbox, two senders killed with SIGKILL %d times: %d POSTs for %d keys (%d missing); "
          "redundant sends after a 200: %d (%d whose accepted POST was still at the receiver when its sender was "
          "killed, %d whose sender was killed after the 200 came back, at most %.2f s after, before recording it; "
          "%d otherwise); exit statuses %s; %.1f s"
          % (killing["kills"], killing["posts"], killing["keys"], killing["missing"], killing["redundant"],
             killing["in_flight"], killing["unrecorded"], killing["latest_kill"], killing["unexplained"],
             killing["statuses"], time.monotonic() - started))
    return staggered["ok"] and killing["ok"]
