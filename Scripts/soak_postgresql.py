"""Soak and throughput of one PostgreSQL outbox shared by several `claimsbridge send` processes.

Used by Scripts/soak.py (`--mode postgres`). A private PostgreSQL server is started for the run (initdb into the
work folder, a Unix socket there and no TCP, a password read from a file; as the `postgres` user under root).

1. kills: three senders with the same files share the outbox (`store:` in their configurations) and are killed
   with SIGKILL at random and restarted; once, mid-way, the database itself is restarted at once (`pg_ctl -m
   immediate`: every connection dropped). Then every sender runs to the end. The receiver counts POSTs per key;
   redundant sends after a 200 are explained by kill timing exactly as in Scripts/soak_outbox.py.
2. throughput: N senders (1, 2, 4) share a fresh outbox and split the files between them; deliveries go to a
   folder, so the figure is the outbox's (enqueue, claim, record), not a receiver's. The same with 1 sender on
   SQLite for comparison.
3. shared inbox: three `watch` processes on one inbox folder, killed at random, the database restarted mid-way
   (Scripts/soak_shared_inbox.py); then files per second with 1, 2 and 4 watchers on one store against 1 on SQLite.
"""
import os
import shutil
import signal
import subprocess
import time
import uuid

import soak_outbox
import soak_shared_inbox


class Server:
    """A PostgreSQL server in `folder`, listening only on a Unix socket there."""

    def __init__(self, folder):
        self.folder = folder
        self.bin = self.binaries()
        os.makedirs(folder, exist_ok=True)
        self.password_file = os.path.join(folder, "password")
        with open(self.password_file, "w") as f:
            f.write("pw-%s\n" % uuid.uuid4())
        if os.getuid() == 0:
            subprocess.run(["chown", "-R", "postgres", folder], check=True)
        self.as_server_user("%s/initdb -D %s/data -U cb --auth=scram-sha-256 --pwfile=%s -E UTF8 --no-locale"
                            " --no-sync" % (self.bin, folder, self.password_file))
        self.start()

    @staticmethod
    def binaries():
        root = "/usr/lib/postgresql"
        versions = sorted((int(v) for v in os.listdir(root) if v.isdigit()), reverse=True) if os.path.isdir(root) else []
        for folder in ["%s/%d/bin" % (root, v) for v in versions] + ["/usr/local/bin", "/usr/bin"]:
            if os.access(folder + "/initdb", os.X_OK) and os.access(folder + "/pg_ctl", os.X_OK):
                return folder
        raise RuntimeError("the PostgreSQL server (initdb, pg_ctl) is not installed: run `make deps`")

    def as_server_user(self, command):
        if os.getuid() == 0:
            arguments = ["su", "postgres", "-s", "/bin/sh", "-c", command]
        else:
            arguments = ["/bin/sh", "-c", command]
        subprocess.run(arguments, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       stdin=subprocess.DEVNULL)

    def start(self):
        options = "-k %s -p 5432 -c listen_addresses= -c max_connections=100" % self.folder
        self.as_server_user("%s/pg_ctl -D %s/data -o '%s' -l %s/log -w start"
                            % (self.bin, self.folder, options, self.folder))

    def restart_immediately(self):
        self.as_server_user("%s/pg_ctl -D %s/data -m immediate -w stop" % (self.bin, self.folder))
        self.start()

    def stop(self):
        self.as_server_user("%s/pg_ctl -D %s/data -m fast -w stop" % (self.bin, self.folder))

    def psql(self, database, *arguments):
        """What `psql` prints, run on `database` with `arguments`."""
        env = dict(os.environ, PGPASSFILE="", PGPASSWORD=open(self.password_file).read().strip())
        return subprocess.run(["%s/psql" % self.bin, "-h", self.folder, "-U", "cb", "-d", database, *arguments],
                              check=True, env=env, capture_output=True, text=True).stdout

    def create_database(self, name):
        self.psql("postgres", "-q", "-c", "CREATE DATABASE %s" % name)

    def query(self, database, sql):
        """The single value `sql` returns in `database`."""
        return self.psql(database, "-Atq", "-c", sql).strip()

    def rows(self, database, sql):
        """The rows `sql` returns in `database`, each a list of its values as text (None for NULL)."""
        output = self.psql(database, "-Atq", "-F", "|", "-P", "null=\\N", "-c", sql)
        return [[None if value == "\\N" else value for value in line.split("|")] for line in output.splitlines()]

    def store_lines(self, database, options):
        return ("store:\n  url: postgres://cb@localhost/%s?host=%s\n  passwordFrom: file:%s\noutbox: {%s}\n"
                % (database, self.folder, self.password_file, options))


def kill_phase(binary, root, server, certificates, log, rng, files, kills):
    folder = os.path.join(root, "kills")
    os.makedirs(folder)
    server.create_database("soak_kills")
    receiver = soak_outbox.Receiver(folder, certificates, delay=0.05)
    senders_names = ["a", "b", "c"]
    try:
        configs = {}
        for sender in senders_names:
            configs[sender] = os.path.join(folder, "delivery-%s.yaml" % sender)
            with open(configs[sender], "w") as f:
                f.write(server.store_lines("soak_kills", "leaseSeconds: 2, initialDelaySeconds: 0.2, maxDelaySeconds: 2")
                        + "destinations:\n  partner:\n    type: https\n    url: %s\n    caBundle: %s\n"
                        "    contentType: application/json\n    headers: {X-Sender: %s}\n"
                        % (receiver.url, certificates["ca.pem"], sender))
        paths = soak_outbox.write_files(folder, files)
        senders = soak_outbox.Senders(binary, configs, paths, log)
        running = {name: senders.start(name) for name in senders_names}
        killed, stopped, failed_exits = [], [], 0
        restarted_database = False
        while len(killed) < kills and any(process.poll() is None for process in running.values()):
            time.sleep(rng.uniform(0.2, 1.0))
            if not restarted_database and len(killed) >= kills // 2:
                server.restart_immediately()
                restarted_database = True
            # A sender that stopped on its own with a failure (the database went away under it) starts again.
            for name, process in running.items():
                if process.poll() not in (None, 0):
                    failed_exits += 1
                    stopped.append((name, time.time()))
                    running[name] = senders.start(name)
            sender = rng.choice(senders_names)
            process = running[sender]
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                killed.append((sender, time.time()))
                process.wait()
                running[sender] = senders.start(sender)
        statuses = [running[name].wait(timeout=600) for name in senders_names]
        if any(statuses):
            # One more run of a sender settles what a failed one left.
            failed_exits += sum(1 for status in statuses if status)
            statuses = [senders.start("a").wait(timeout=600)]
        # A sender that stopped on a database error ended like a killed one: what it had not recorded is sent again.
        figures = soak_outbox.analyse(receiver.requests(), killed + stopped, files)
    finally:
        receiver.stop()
    figures.update(statuses=statuses, kills=len(killed), failed_exits=failed_exits,
                   database_restarted=restarted_database)
    figures["ok"] = all(s == 0 for s in statuses) and figures["missing"] == 0 and figures["unexplained"] == 0
    return figures


def throughput(binary, root, server, workers, files, engine):
    """Seconds for `workers` senders sharing one fresh outbox to enqueue and deliver `files` files to a folder."""
    folder = os.path.join(root, "throughput-%s-%d" % (engine, workers))
    os.makedirs(os.path.join(folder, "out"))
    paths = soak_outbox.write_files(folder, files)
    config = os.path.join(folder, "delivery.yaml")
    with open(config, "w") as f:
        if engine == "postgres":
            name = "bench_%d" % workers
            server.create_database(name)
            f.write(server.store_lines(name, "leaseSeconds: 30"))
        else:
            f.write("outbox: {path: %s, leaseSeconds: 30}\n" % os.path.join(folder, "outbox.sqlite"))
        f.write("destinations:\n  drop: {type: folder, directory: %s}\n" % os.path.join(folder, "out"))
    started = time.monotonic()
    processes = [subprocess.Popen([binary, "send", "--config", config, "--to", "drop", "--wait", "600"]
                                  + paths[index::workers], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for index in range(workers)]
    statuses = [process.wait() for process in processes]
    seconds = time.monotonic() - started
    delivered = len(os.listdir(os.path.join(folder, "out")))
    if any(statuses) or delivered != files:
        raise RuntimeError("throughput run %s x%d: statuses %s, %d of %d delivered"
                           % (engine, workers, statuses, delivered, files))
    return seconds


def run(binary, root, rng, files, kills, bench_files, inbox_files=300, inbox_kills=10):
    """Runs the kill phase, the shared-inbox phase and the throughput runs, prints their figures, returns whether
    both phases passed."""
    certificates = soak_outbox.make_certificates(root)
    log = open(os.path.join(root, "senders.log"), "ab")
    server = Server(os.path.join(root, "pg"))
    try:
        started = time.monotonic()
        killing = kill_phase(binary, root, server, certificates, log, rng, files, kills)
        print("PostgreSQL outbox, three senders killed with SIGKILL %d times, database restarted mid-way: %s; "
              "%d POSTs for %d keys (%d missing); redundant sends after a 200: %d (%d whose accepted POST was still "
              "at the receiver when its sender was killed or stopped, %d whose sender was killed or stopped after the 200 came back, at "
              "most %.2f s after, before recording it; %d otherwise); senders that stopped on a database error and "
              "were started again: %d; exit statuses %s; %.1f s"
              % (killing["kills"], "yes" if killing["database_restarted"] else "no", killing["posts"],
                 killing["keys"], killing["missing"], killing["redundant"], killing["in_flight"],
                 killing["unrecorded"], killing["latest_kill"], killing["unexplained"], killing["failed_exits"],
                 killing["statuses"], time.monotonic() - started))
        inbox = soak_shared_inbox.run(binary, root, server, rng, inbox_files, inbox_kills, log)
        print(soak_shared_inbox.report(inbox))
        if bench_files:
            sqlite = throughput(binary, root, server, 1, bench_files, "sqlite")
            print("throughput, %d files enqueued and delivered to a folder: SQLite 1 sender %.0f/s"
                  % (bench_files, bench_files / sqlite))
            for workers in [1, 2, 4]:
                seconds = throughput(binary, root, server, workers, bench_files, "postgres")
                print("throughput, %d files enqueued and delivered to a folder: PostgreSQL %d sender%s %.0f/s"
                      % (bench_files, workers, "" if workers == 1 else "s", bench_files / seconds))
            watch_files = max(1, bench_files // 4)
            sqlite = soak_shared_inbox.throughput(binary, root, server, 1, watch_files, "sqlite")
            print("throughput, %d claims dropped in an inbox, translated and delivered by `watch --drain`: SQLite "
                  "1 watcher %.0f files/s" % (watch_files, watch_files / sqlite))
            for workers in [1, 2, 4]:
                seconds = soak_shared_inbox.throughput(binary, root, server, workers, watch_files, "postgres")
                print("throughput, %d claims dropped in an inbox, translated and delivered by `watch --drain`: "
                      "PostgreSQL %d watcher%s %.0f files/s"
                      % (watch_files, workers, "" if workers == 1 else "s", watch_files / seconds))
    finally:
        server.stop()
    return killing["ok"] and inbox["ok"]
