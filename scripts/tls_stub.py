"""A tracking-server stub behind TLS that requires a client certificate, for the client
certificate test (tests/faults.rs). Stubs stand in only for what cannot run here: a real
`mlflow server` does not terminate mutual TLS itself (deployments put a proxy in front).

Makes a CA, a server certificate for 127.0.0.1 and a client certificate (key and chain in one
PEM, as MLFLOW_TRACKING_CLIENT_CERT_PATH takes it) with `cryptography`, writes them to DIR,
serves HTTPS on a free loopback port and prints the port. Answers the experiment search and
the trace search with one trace each.

Usage: python tls_stub.py DIR
"""

import datetime
import http.server
import ipaddress
import json
import os
import ssl
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

EXPERIMENTS = {"experiments": [{"experiment_id": "1", "name": "e", "lifecycle_stage": "active"}]}
TRACES = {
    "traces": [
        {
            "trace_id": "tr-mtls",
            "request_time": "2026-11-21T09:44:18.365Z",
            "execution_duration": "0.087s",
            "state": "OK",
            "tags": {"mlflow.traceName": "through_mutual_tls"},
        }
    ]
}


def cert(subject, issuer, key, issuer_key, ca=False, san=None, client=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san:
        b = b.add_extension(x509.SubjectAlternativeName(san), critical=False)
    if client:
        b = b.add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
    elif not ca:
        b = b.add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    return b.sign(issuer_key, hashes.SHA256())


def pem(c):
    return c.public_bytes(serialization.Encoding.PEM)


def key_pem(k):
    return k.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def main():
    out = sys.argv[1]
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = cert("test-ca", "test-ca", ca_key, ca_key, ca=True)
    srv_key = ec.generate_private_key(ec.SECP256R1())
    srv = cert(
        "127.0.0.1", "test-ca", srv_key, ca_key,
        san=[x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
    )
    cli_key = ec.generate_private_key(ec.SECP256R1())
    cli = cert("reviewer", "test-ca", cli_key, ca_key, client=True)
    files = {
        "ca.pem": pem(ca),
        "server.pem": pem(srv) + key_pem(srv_key),
        "client.pem": pem(cli) + key_pem(cli_key),
        "client-cert-only.pem": pem(cli),
    }
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def answer(self):
            n = int(self.headers.get("content-length", "0") or 0)
            self.rfile.read(n)
            body = json.dumps(EXPERIMENTS if "experiments" in self.path else TRACES).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = answer
        do_POST = answer

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(out, "server.pem"))
    ctx.load_verify_locations(os.path.join(out, "ca.pem"))
    ctx.verify_mode = ssl.CERT_REQUIRED
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
