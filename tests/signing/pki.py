"""The test PKI: certomancer's architecture with per-session RSA keys, its services on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

HERE = Path(__file__).parent
KEYS = ("root", "interm", "interm-ocsp", "tsa", "signer", "signer-revoked", "signer-expired")


class _Quiet(WSGIRequestHandler):
    def log_message(self, *_args: object) -> None:  # keep test output clean
        pass


class _ThreadedServer(WSGIServer):
    daemon_threads = True


class _Switch:
    """Puts the revocation services (OCSP, CRLs) up, down (HTTP 503) or slow (answer after `delay` s)."""

    def __init__(self, app: object) -> None:
        self.app = app
        self.mode = "up"
        self.delay = 3.0

    def __call__(self, environ: dict, start_response: object) -> object:
        path = environ.get("PATH_INFO", "")
        if self.mode != "up" and ("/ocsp/" in path or "/crls/" in path):
            if self.mode == "down":
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])  # type: ignore[operator]
                return [b"down"]
            time.sleep(self.delay)
        return self.app(environ, start_response)  # type: ignore[operator]


@dataclass
class TestPki:
    arch: object
    base_url: str
    dir: Path
    switch: _Switch

    @contextmanager
    def revocation_services(self, mode: str) -> Iterator[None]:
        """`down` or `slow` for the duration of the block."""
        self.switch.mode = mode
        try:
            yield
        finally:
            self.switch.mode = "up"

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/fpcli/tsa/tsa"

    def pem(self, label: str) -> bytes:
        return self.arch.get_cert(label).dump()  # type: ignore[attr-defined]

    def write_p12(self, label: str, passphrase: bytes) -> Path:
        path = self.dir / f"{label}.p12"
        path.write_bytes(self.arch.package_pkcs12(label, password=passphrase))  # type: ignore[attr-defined]
        return path

    def write_cert(self, label: str) -> Path:
        from asn1crypto import pem

        path = self.dir / f"{label}.pem"
        path.write_bytes(pem.armor("CERTIFICATE", self.arch.get_cert(label).dump()))  # type: ignore[attr-defined]
        return path


def _generate_keys(directory: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    for label in KEYS:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        (directory / f"{label}.key.pem").write_bytes(pem)


@contextmanager
def running_pki(directory: Path) -> Iterator[TestPki]:
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import CertomancerConfig

    _generate_keys(directory)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    config = CertomancerConfig.from_file(
        str(HERE / "certomancer.yml"), key_search_dir=str(directory), external_url_prefix=base
    )
    arch = config.get_pki_arch("fpcli")
    switch = _Switch(Animator(AnimatorArchStore({"fpcli": arch}), with_web_ui=False))
    server = make_server("127.0.0.1", port, switch, server_class=_ThreadedServer, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield TestPki(arch=arch, base_url=base, dir=directory, switch=switch)
    finally:
        server.shutdown()
        server.server_close()
