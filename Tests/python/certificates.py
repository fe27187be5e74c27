"""Certificates for the TLS tests, made with `openssl` in the test's own folder: nothing is committed or reused."""

from __future__ import annotations

import pathlib
import subprocess


def openssl(*args: str, cwd: pathlib.Path):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certificates(d: pathlib.Path) -> pathlib.Path:
    """In `d` (made if missing): ca.pem/ca.key (a CA valid one day), server.pem/server.key (for localhost and 127.0.0.1) and
    client.pem/client.key (client authentication), both signed by the CA. Returns `d`."""
    d.mkdir(parents=True, exist_ok=True)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=Switchboard test CA",
            "-keyout", "ca.key", "-out", "ca.pem", cwd=d)
    for name, extensions in (("server", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth"),
                             ("client", "extendedKeyUsage=clientAuth")):
        (d / f"{name}.ext").write_text(extensions + "\n")
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}", "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=d)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
                "-extfile", f"{name}.ext", "-out", f"{name}.pem", cwd=d)
    return d
