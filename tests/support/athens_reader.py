# A stand-in for an Athens server in offline mode with disk storage — NOT Athens: the module
# proxy this project's machines reach refuses github.com/gomods/athens, so no real Athens can be
# built here (scripts/athens builds one where it is served). It answers the GOPROXY protocol
# reading only what Athens' pkg/storage/fs reads: <root>/<module>/<version>/go.mod, source.zip,
# <version>.info; `list` is the version directories whose names are semantic versions. Paths
# are decoded from the protocol's `!x` case encoding, as Athens' handlers do. Anything else:
# 404, as Athens with ATHENS_DOWNLOAD_MODE=none answers a module it does not hold.
# Usage: python3 athens_reader.py ROOT PORT  (listens on 127.0.0.1:PORT)
import http.server
import os
import re
import sys
import urllib.parse

ROOT, PORT = sys.argv[1], int(sys.argv[2])
SEMVER = re.compile(r"^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")


def decode(text):
    return re.sub(r"!([a-z])", lambda m: m.group(1).upper(), text)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = urllib.parse.unquote(self.path.split("?")[0])
        module, sep, rest = path.lstrip("/").partition("/@v/")
        module = decode(module)
        if not sep or ".." in module.split("/"):
            return self.answer(404, b"not found")
        base = os.path.join(ROOT, module)
        if rest == "list":
            names = sorted(os.listdir(base)) if os.path.isdir(base) else []
            body = "".join(n + "\n" for n in names if SEMVER.match(n) and os.path.isdir(os.path.join(base, n)))
            return self.answer(200, body.encode())
        for suffix, name in ((".info", None), (".mod", "go.mod"), (".zip", "source.zip")):
            if rest.endswith(suffix):
                version = decode(rest[: -len(suffix)])
                path = os.path.join(base, version, name or version + ".info")
                if os.path.isfile(path):
                    with open(path, "rb") as f:
                        return self.answer(200, f.read())
        return self.answer(404, ("%s@%s: not found" % (module, rest)).encode())

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
