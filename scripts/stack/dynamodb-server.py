"""Local DynamoDB-compatible server for the Corral stack: moto's server app, one request at a time.

DynamoDB applies each request atomically; moto's threaded server does not, so requests are
serialised here to keep conditional writes and transactions atomic under concurrent clients.
Transactions run through moto_transactions.py, which rolls back item snapshots instead of table
copies (same outcome, a cost that does not grow with the table).
"""
import argparse
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moto_transactions  # noqa: E402  (beside this file, not installed)

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import WSGIRequestHandler, run_simple

parser = argparse.ArgumentParser()
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8010)
args = parser.parse_args()

moto_transactions.install()
backend = DomainDispatcherApplication(create_backend_app)
one_at_a_time = threading.Lock()


def serialised(environ, start_response):
    with one_at_a_time:
        return list(backend(environ, start_response))


class QuietHandler(WSGIRequestHandler):
    # Keep-alive connections; per-request access logs would drown the stack log.
    protocol_version = "HTTP/1.1"

    def log_request(self, *args, **kwargs):
        pass


print(f"dynamodb (moto) listening on http://{args.host}:{args.port}", flush=True)
run_simple(args.host, args.port, serialised, threaded=True, request_handler=QuietHandler)
