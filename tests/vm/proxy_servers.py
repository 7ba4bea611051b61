#!/usr/bin/python3
"""A company network on the host's loopback, for tests/vm/proxy_test.cpp.

  proxy_servers.py DIR

- a CONNECT proxy: every host it is asked for is this host (127.0.0.1), at the port asked for;
  each CONNECT is printed on stdout ("CONNECT host:port");
- two HTTPS image registries, the first with DIR/trusted.crt (signed by DIR/trusted-ca.crt), the
  second with DIR/other.crt (signed by a CA the guest is not given); each serves one image,
  `proxied:latest`, a layer holding /proxied.txt, by the registry API's v2 rules.

Writes DIR/ports ("PROXY TRUSTED OTHER") once all three listen; runs until killed.
"""
import gzip
import hashlib
import http.server
import io
import json
import os
import select
import socket
import socketserver
import ssl
import sys
import tarfile
import threading

folder = sys.argv[1]


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def image():
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        text = b"through the proxy\n"
        info = tarfile.TarInfo("proxied.txt")
        info.size = len(text)
        tar.addfile(info, io.BytesIO(text))
    layer = gzip.compress(raw.getvalue(), mtime=0)
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Cmd": ["/proxied.txt"]},
        "rootfs": {"type": "layers", "diff_ids": [sha(raw.getvalue())]},
    }).encode()
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                   "size": len(config), "digest": sha(config)},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": len(layer), "digest": sha(layer)}],
    }).encode()
    return manifest, {sha(config): config, sha(layer): layer}


MANIFEST, BLOBS = image()


class Registry(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, body=b"", kind="application/json", digest=None):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        if digest:
            self.send_header("Docker-Content-Digest", digest)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path in ("/v2", "/v2/"):
            return self.answer(200, b"{}")
        if path == "/v2/proxied/manifests/latest" or path == "/v2/proxied/manifests/" + sha(MANIFEST):
            return self.answer(200, MANIFEST,
                               "application/vnd.docker.distribution.manifest.v2+json", sha(MANIFEST))
        prefix = "/v2/proxied/blobs/"
        if path.startswith(prefix) and path[len(prefix):] in BLOBS:
            digest = path[len(prefix):]
            return self.answer(200, BLOBS[digest], "application/octet-stream", digest)
        self.answer(404, b'{"errors":[{"code":"NAME_UNKNOWN","message":"unknown"}]}')

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


class Quiet(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client refusing the certificate: what the test wants to see


def registry(cert):
    server = Quiet(("127.0.0.1", 0), Registry)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(folder, cert + ".crt"), os.path.join(folder, cert + ".key"))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


class Tunnel(socketserver.StreamRequestHandler):
    def handle(self):
        request = self.rfile.readline().decode("latin-1").split()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        if len(request) < 2 or request[0] != "CONNECT":
            self.wfile.write(b"HTTP/1.1 405 CONNECT only\r\nContent-Length: 0\r\n\r\n")
            return
        print("CONNECT " + request[1], flush=True)
        port = int(request[1].rsplit(":", 1)[1])
        upstream = socket.create_connection(("127.0.0.1", port))
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        ends = [self.connection, upstream]
        while True:
            for end in select.select(ends, [], [])[0]:
                data = end.recv(65536)
                if not data:
                    return
                (upstream if end is self.connection else self.connection).sendall(data)


class Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


proxy = Proxy(("127.0.0.1", 0), Tunnel)
ports = "{} {} {}".format(proxy.server_address[1], registry("trusted"), registry("other"))
with open(os.path.join(folder, "ports.tmp"), "w") as f:
    f.write(ports + "\n")
os.rename(os.path.join(folder, "ports.tmp"), os.path.join(folder, "ports"))
proxy.serve_forever()
