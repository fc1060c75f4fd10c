#!/usr/bin/env python3
"""A small HTTPS receiver for the transport tests.

Accepts POST on any path, answers with a scripted sequence of status codes ("500,200": the first request gets
500, every later one the last code), optionally requires a client certificate, and appends one JSON line per
request to --record: the path, Idempotency-Key / webhook-id, the status sent, the body in Base64, whether the key
was already accepted before (a duplicate, answered 200 without a new delivery), and, with --webhook-secret,
whether the Standard Webhooks signature is valid (checked independently of the Swift code), and when the request
arrived and was answered (Unix seconds). With --reply-file,
a successful request is answered with that file's bytes, as a carrier answers a claim with its response.

Prints "READY <port>" on standard output once it listens.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--cert", required=True)
parser.add_argument("--key", required=True)
parser.add_argument("--client-ca")
parser.add_argument("--script", default="200")
parser.add_argument("--record", required=True)
parser.add_argument("--delay", type=float, default=0.0)
parser.add_argument("--webhook-secret")
parser.add_argument("--reply-file", help="answer a 2xx with this file's bytes (a carrier's synchronous reply)")
parser.add_argument("--retry-after", help="send this Retry-After value with a 429 or 503")
options = parser.parse_args()

statuses = [int(code) for code in options.script.split(",")]
lock = threading.Lock()
state = {"count": 0, "accepted": set()}


def signature_valid(headers, body):
    if not options.webhook_secret:
        return None
    key = base64.b64decode(options.webhook_secret[len("whsec_"):])
    message = "{}.{}.".format(headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")).encode() + body
    expected = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
    offered = [token[3:] for token in headers.get("webhook-signature", "").split(" ") if token.startswith("v1,")]
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        received = time.time()
        if options.delay:
            time.sleep(options.delay)
        key = self.headers.get("Idempotency-Key") or self.headers.get("webhook-id")
        with lock:
            status = statuses[min(state["count"], len(statuses) - 1)]
            state["count"] += 1
            duplicate = key in state["accepted"]
            if duplicate:
                status = 200
            elif 200 <= status < 300 and key:
                state["accepted"].add(key)
            entry = {
                "path": self.path, "key": key, "status": status, "duplicate": duplicate,
                "body": base64.b64encode(body).decode(), "signatureValid": signature_valid(self.headers, body),
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "received": received, "answered": time.time(),
            }
            with open(options.record, "a") as record:
                record.write(json.dumps(entry) + "\n")
                record.flush()
                os.fsync(record.fileno())
        answer = json.dumps({"status": status, "duplicate": duplicate}).encode()
        content_type = "application/json"
        if options.reply_file and 200 <= status < 300:
            answer = open(options.reply_file, "rb").read()
            content_type = "application/octet-stream"
        self.send_response(status)
        if options.retry_after and status in (429, 503):
            self.send_header("Retry-After", options.retry_after)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(options.cert, options.key)
if options.client_ca:
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(options.client_ca)
server = ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
server.daemon_threads = True
server.socket = context.wrap_socket(server.socket, server_side=True)
print("READY", server.server_address[1], flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
