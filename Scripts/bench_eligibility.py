#!/usr/bin/env python3
"""Eligibility through `claimsbridge serve`, against the carrier simulator's own time, measured in the same run.

Starts the simulator and a service whose `carriers:` sends to it (a private folder, plain HTTP on loopback), then
posts the bundled eligibility request RUNS times (default 300) straight to the simulator (CDAnet bytes) and through
the service (`POST /v1/eligibility`, model JSON: numbered, checked, recorded, queued, exchanged, translated,
recorded), one at a time on kept-alive connections. Prints the median and p95 of each and the difference.
Usage: bench_eligibility.py path/to/claimsbridge [RUNS]
"""
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = "bench-token-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, path="/healthz", seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"nothing answers on port {port}")


def timed(port, path, body, content_type, headers, runs):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        connection.request("POST", path, body=body, headers={"Content-Type": content_type, **headers})
        response = connection.getresponse()
        answer = response.read()
        times.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            sys.exit(f"POST {path} answered {response.status}: {answer[:300]!r}")
    return times


def summary(times):
    ordered = sorted(times)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def main():
    binary = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    with tempfile.TemporaryDirectory() as folder:
        sim_port, serve_port = free_port(), free_port()
        os.makedirs(folder + "/inbox")
        with open(folder + "/delivery.yaml", "w") as f:
            f.write(f"outbox: {{path: state/outbox.sqlite}}\ndestinations:\n"
                    f"  carrier: {{type: carrier, url: \"http://127.0.0.1:{sim_port}/cdanet\", replyTimeoutSeconds: 10}}\n"
                    f"  out: {{type: folder, directory: inbox}}\n")
        with open(folder + "/routes.yaml", "w") as f:
            f.write(f"state: state\ndelivery: delivery.yaml\nmappings: {ROOT}/Mappings\n"
                    "routes:\n  - {name: unused, inbox: inbox, from: cdanet, to: json, deliver: [out]}\n")
        with open(folder + "/service.yaml", "w") as f:
            f.write(f"listen: 127.0.0.1:{serve_port}\nroutes: routes.yaml\ncarriers: {{default: carrier}}\n"
                    "limits: {concurrentRequests: 64}\n"
                    "clients:\n  - {name: bench, token: env:BENCH_TOKEN, endpoints: [\"*\"]}\n")
        env = dict(os.environ, BENCH_TOKEN=TOKEN, CLAIMSBRIDGE_MAPPINGS=ROOT + "/Mappings")
        quiet = subprocess.DEVNULL
        simulator = subprocess.Popen(
            [binary, "simulate-carrier", "--plans", ROOT + "/Examples/simulator/plans.yaml", "--listen",
             f"127.0.0.1:{sim_port}"], stdout=quiet, stderr=quiet, env=env)
        service = subprocess.Popen(
            [binary, "serve", "--config", folder + "/service.yaml", "--log-level", "error"], stdout=quiet, stderr=quiet,
            env=env, cwd=folder)
        try:
            wait_for(sim_port)
            wait_for(serve_port)
            cdanet = open(ROOT + "/Fixtures/cdanet/v04/08-eligibility.txt", "rb").read()
            model = open(ROOT + "/Fixtures/cdanet/v04/08-eligibility.expected.json", "rb").read()
            auth = {"Authorization": "Bearer " + TOKEN}
            timed(sim_port, "/cdanet", cdanet, "application/octet-stream", {}, 20)
            timed(serve_port, "/v1/eligibility", model, "application/json", auth, 20)
            direct = summary(timed(sim_port, "/cdanet", cdanet, "application/octet-stream", {}, runs))
            served = summary(timed(serve_port, "/v1/eligibility", model, "application/json", auth, runs))
            print(f"{'(ms, ' + str(runs) + ' requests one at a time)':44} {'median':>8} {'p95':>8}")
            print(f"{'simulator alone (CDAnet in, CDAnet out)':44} {direct[0]:8.2f} {direct[1]:8.2f}")
            print(f"{'through serve (JSON in, answer recorded)':44} {served[0]:8.2f} {served[1]:8.2f}")
            print(f"{'added by the service':44} {served[0] - direct[0]:8.2f} {served[1] - direct[1]:8.2f}")
            print("target: at most 5 ms added at the median")
            rss = [line for line in open(f"/proc/{service.pid}/status") if line.startswith("VmHWM")]
            print("service peak RSS:", rss[0].split(":", 1)[1].strip() if rss else "?")
        finally:
            for process in (service, simulator):
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()


if __name__ == "__main__":
    main()
