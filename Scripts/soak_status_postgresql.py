"""The status soak with several `claimsbridge serve --watch` workers sharing one PostgreSQL store.

Used by Scripts/soak_status.py (`--mode postgres`). A private PostgreSQL server is started for the run
(Scripts/soak_postgresql.py). Each worker has its own state folder, port and delivery configuration (the same
`store:`, its status events POSTed to /events/<worker>, so the receiver knows which worker made each POST); they
share the ledger, the outbox and the claims' inbox. Worker a's `watch --drain` sends the claims; then the insurer
callbacks go to the workers at random while one worker at a time is killed with SIGKILL every 0.3 to 1.5 s and
started again, and, once half the callbacks are answered, the database is restarted at once (`pg_ctl -m immediate`:
every connection dropped). A worker that exits by itself (the database went away under it) is started again within
50 ms and counted; its exit counts as a kill when redundant POSTs are explained. Last, every worker runs `watch --drain` at the same time, so all publish whatever is pending together.
"""
import os
import random
import signal
import subprocess
import threading
import time

import soak_postgresql
import soak_status

DATABASE = "soak_status"


class Workers:
    """The `serve --watch` processes, and when each of them ended (killed, or exited by itself)."""

    def __init__(self, binary, services, log):
        self.binary, self.services, self.log = binary, services, log
        self.processes = {}
        self.ends = []
        self.exited = 0

    def start(self, name):
        self.processes[name] = subprocess.Popen(soak_status.serve_command(self.binary, self.services[name]),
                                                stdout=subprocess.DEVNULL, stderr=self.log)

    def kill(self, name):
        self.processes[name].send_signal(signal.SIGKILL)
        self.ends.append((name, time.time()))
        self.processes[name].wait()

    def restart_exited(self):
        """Starts again each worker that exited by itself; its end counts as a kill's."""
        for name, process in self.processes.items():
            if process.poll() is not None:
                self.ends.append((name, time.time()))
                self.exited += 1
                self.start(name)


def run(args, rng, root):
    """Returns whether everything agrees."""
    if os.getuid() == 0:
        # The server runs as the postgres user, in a folder under this one.
        subprocess.run(["chmod", "755", root], check=True)
    server = soak_postgresql.Server(os.path.join(root, "pg"))
    setup = None
    try:
        server.create_database(DATABASE)
        setup = soak_status.Setup(root, args.claims)
        names = [chr(ord("a") + index) for index in range(args.workers)]
        files = {name: setup.write_worker(name, server.store_lines(DATABASE, soak_status.OUTBOX_OPTIONS))
                 for name in names}
        setup.drain(args.binary, [files["a"][0]])
        updates = soak_status.make_updates(rng, setup.claims, args.duplicates)

        workers = Workers(args.binary, {name: files[name][1] for name in names}, setup.log)
        for name in names:
            workers.start(name)
        sent = [0]
        restart = {}
        lock = threading.Lock()
        stop = threading.Event()

        def killer():
            # Checks every 50 ms for workers that exited (so their end is known within that) and for the half-way
            # point; kills one every 0.3 to 1.5 s.
            next_kill = time.monotonic() + rng.uniform(0.3, 1.5)
            while not stop.wait(0.05):
                with lock:
                    workers.restart_exited()
                    if not restart and sent[0] >= len(updates) // 2:
                        restart["began"] = time.time()
                        server.restart_immediately()
                        restart["ended"] = time.time()
                    if time.monotonic() >= next_kill:
                        name = rng.choice(names)
                        workers.kill(name)
                        workers.start(name)
                        next_kill = time.monotonic() + rng.uniform(0.3, 1.5)

        started = time.monotonic()
        thread = threading.Thread(target=killer)
        thread.start()
        try:
            sending = soak_status.send_updates(
                updates, [files[name][2] for name in names], random.Random(rng.random()), retry_server_errors=True,
                progress=lambda index: sent.__setitem__(0, index))
        finally:
            stop.set()
            thread.join()
            kills = len(workers.ends) - workers.exited
            for name in names:
                workers.kill(name)
        sending["seconds"] = time.monotonic() - started
        setup.drain(args.binary, [files[name][0] for name in names])
        elapsed = time.monotonic() - started

        stored = dict(server.rows(DATABASE, "SELECT lookup, state FROM tracked_states WHERE kind = 'claim'"))
        events = {"status-event-%s" % event: bytes.fromhex(payload) for event, payload in
                  server.rows(DATABASE, "SELECT id, encode(payload, 'hex') FROM status_events")}
        handovers = [(int(event), None if outbox is None else int(outbox), key, state) for event, outbox, key, state in
                     server.rows(DATABASE, "SELECT e.id, e.outbox_id, d.idempotency_key, d.state FROM status_events e "
                                           "LEFT JOIN outbox_delivery d ON d.id = e.outbox_id")]
        figures = soak_status.check_events(setup.receiver.requests(), events, workers.ends,
                                           sender_of=lambda request: request["path"].rsplit("/", 1)[1])
        # A repeat no kill explains is the database restart's when the accepted POST came before the restart was
        # over and the repeat after it began: the worker could not record the 200 before its lease ran out.
        figures["restart_explained"] = sum(
            1 for repeat, first in figures["not_explained_by_kills"]
            if first and restart and first["received"] <= restart["ended"] and repeat["received"] >= restart["began"])
        ok = soak_status.report(
            setup.claims, updates, sending, kills, elapsed, stored, figures, handovers,
            extra="; %d workers sharing one PostgreSQL store, %d exited by themselves and were started again; "
                  "database restarted mid-way: %s; callbacks answered 503 and sent again: %d, 500: %d" % (
                      len(names), workers.exited, "yes" if restart else "no", sending["unavailable"],
                      sending["server_errors"]))
        return ok and bool(restart)
    finally:
        if setup:
            setup.receiver.stop()
        server.stop()
