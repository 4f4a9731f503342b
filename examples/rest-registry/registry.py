#!/usr/bin/env python3
"""A sample population-register API for the REST-registry example (standard library only).

GET /api/v1/residents?birthDate=YYYY-MM-DD&status=registered
    -> {"residents": [...], "links": {"next": "<url of the next page>" | null}}
Pages hold one resident, so the adapter's next_link pagination is exercised.
Listens on 127.0.0.1 only (port from the first argument, default 8181).
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "residents.json"), encoding="utf-8") as f:
    RESIDENTS = json.load(f)
PAGE_SIZE = 1


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        if url.path.rstrip("/") in ("", "/api/v1"):
            return self.reply(200, {"status": "ok"})
        if url.path != "/api/v1/residents":
            return self.reply(404, {"error": "not found"})
        q = parse_qs(url.query)
        birth = q.get("birthDate", [""])[0]
        page = int(q.get("page", ["0"])[0])
        found = [r for r in RESIDENTS if r["birth"]["date"] == birth]
        chunk = found[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
        nxt = None
        if (page + 1) * PAGE_SIZE < len(found):
            params = {k: v[0] for k, v in q.items()}
            params["page"] = str(page + 1)
            nxt = f"http://{self.headers['Host']}/api/v1/residents?{urlencode(params)}"
        self.reply(200, {"residents": chunk, "links": {"next": nxt}})

    def reply(self, status, body):
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):  # quiet: the demo prints what matters
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8181
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
