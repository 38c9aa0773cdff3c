"""Submission throughput to a PA on loopback: what fpcli's safety (journal written before each upload,
content classification, SHA-256, token handling) costs against a bare httpx upload loop of the same files to
the same server, in one run; and what `--jobs` buys.

    python benchmarks/bench_submit.py [--n 300]

The PA is the test suite's (AFNOR Flow Service; its per-request OpenAPI check is off here, it would dominate),
run in its own process so that client and server do not share a GIL.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from common import REPO, table

SERVER = """
import sys, time
sys.path.insert(0, {repo!r})
from tests.remote.pa_server import PAServer
with PAServer(check=False) as server:
    print(server.url, flush=True)
    sys.stdin.read()
"""


def invoices(n: int, folder: Path, run: int) -> list[str]:
    # the tests' valid invoice (the services example with a numbered placeholder), so the check before
    # upload passes and the benchmark measures submission, not a refusal
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests.remote.test_submit import INVOICE

    paths = []
    for i in range(n):
        path = folder / f"inv-{i:05d}.xml"
        path.write_bytes(INVOICE.replace(b"F-%d", f"F-{run}-{i}".encode()))
        paths.append(str(path))
    return paths


def raw_loop(url: str, paths: list[str]) -> float:
    """The reference: one multipart upload per file, no journal, no look-ups, one token."""
    import httpx

    start = time.perf_counter()
    with httpx.Client(timeout=30) as client:
        token = client.post(
            f"{url}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "acme-client",
                "client_secret": "s3cret-client",
            },
        ).json()["access_token"]
        for path in paths:
            data = Path(path).read_bytes()
            info = {"name": Path(path).name, "flowSyntax": "CII", "trackingId": uuid.uuid4().hex}
            response = client.post(
                f"{url}/flow-service/v1/flows",
                headers={"Authorization": f"Bearer {token}", "Request-Id": str(uuid.uuid4())},
                files={
                    "flowInfo": (None, json.dumps(info), "application/json"),
                    "file": (Path(path).name, data, "application/xml"),
                },
            )
            response.raise_for_status()
    return time.perf_counter() - start


def fpcli_run(url: str, paths: list[str], jobs: int) -> float:
    from fpcli.profiles.models import PAConfig
    from fpcli.profiles.resolve import PATarget
    from fpcli.remote.pa import PASession
    from fpcli.remote.submit import SubmitOptions, submit_files

    target = PATarget(
        None,
        "bench",
        PAConfig(flow_url=f"{url}/flow-service", token_url=f"{url}/oauth/token", client_id="acme-client"),
    )
    start = time.perf_counter()
    with PASession(target) as session:
        batch = submit_files(session, paths, SubmitOptions(jobs=jobs))
    elapsed = time.perf_counter() - start
    assert not batch.errors and len(batch.results) == len(paths), batch.errors[:1]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300, help="invoices per run")
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(
            {"XDG_DATA_HOME": tmp, "XDG_CONFIG_HOME": tmp, "FPCLI_PA_CLIENT_SECRET": "s3cret-client"}
        )
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER.format(repo=str(REPO))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            url = (server.stdout.readline() if server.stdout else "").strip()
            rows = []
            for label, run in (
                ("bare httpx loop (reference)", lambda p: raw_loop(url, p)),
                ("fpcli submit_files --jobs 1", lambda p: fpcli_run(url, p, 1)),
                ("fpcli submit_files --jobs 4", lambda p: fpcli_run(url, p, 4)),
            ):
                folder = Path(tmp) / label.split()[0] / str(len(rows))
                folder.mkdir(parents=True)
                paths = invoices(n, folder, len(rows))  # fresh bytes per run: the journal refuses repeats
                seconds = run(paths)
                rows.append((label, f"{n / seconds:.0f}", f"{seconds:.2f}"))
        finally:
            if server.stdin:
                server.stdin.close()
            server.wait(timeout=10)
    print(f"submit: {n} small CII invoices to the test PA on 127.0.0.1 (server in its own process)\n")
    print(table(rows, ("run", "files/s", "seconds")))
    ref, one, four = (float(r[1]) for r in rows)
    print(f"\nfpcli --jobs 1 / bare loop: {one / ref:.2f}x; --jobs 4 / --jobs 1: {four / one:.2f}x")


if __name__ == "__main__":
    main()
