"""What `sign verify` may fetch (OCSP responses, CRLs, issuer certificates) and how.

The URLs come from the certificates inside the file being verified, i.e. from whoever made the file. So:
only http(s), never loopback / private / link-local addresses unless the user allows it (a signed PDF must not
make fpcli probe the local network), a timeout per request, a total budget for the whole run, no redirects
(a public URL could redirect to a private one). Every refusal and failure is recorded, so that a revocation
status that stays unknown can say why.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class FetchPolicy:
    offline: bool = False  # embedded material only: nothing is fetched
    allow_private: bool = False  # loopback / private ranges (test PKIs, in-house responders)
    timeout: float = 5.0  # per request
    budget: float = 20.0  # for all requests of one run


@dataclass
class FetchLog:
    """Shared by the fetchers of one run: the deadline and what went wrong, URL by URL."""

    policy: FetchPolicy
    deadline: float = 0.0
    failures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.policy.budget

    def note(self, url: str, why: str) -> None:
        line = f"{url}: {why}"
        if line not in self.failures:
            self.failures.append(line)

    def for_urls(self, urls: list[str]) -> list[str]:
        return [f for f in self.failures if any(f.startswith(u + ":") for u in urls)]


def refusal(url: str, allow_private: bool) -> str | None:
    """Why `url` may not be fetched, or None when it may."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"only http(s) URLs are fetched, not {parts.scheme or 'a relative URL'}"
    if not parts.hostname:
        return "no host in the URL"
    if allow_private:
        return None
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 80, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        return f"host not found ({exc.strerror or exc})"
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            return (
                f"{parts.hostname} is a {'loopback' if address.is_loopback else 'private or reserved'} "
                "address (pass `--allow-private-fetch` to allow it)"
            )
    return None


def _guarded_mixin() -> type:
    import requests
    from pyhanko_certvalidator.fetchers.requests_fetchers.util import RequestsFetcherMixin

    class Guarded(RequestsFetcherMixin):
        log: FetchLog

        def _check(self, url: str) -> float:
            """The timeout for this request; raises (as the fetchers expect) when it may not be made."""
            why = refusal(url, self.log.policy.allow_private)
            remaining = self.log.deadline - time.monotonic()
            if why is None and remaining <= 0:
                why = f"not fetched: the {self.log.policy.budget:g} s budget for fetching is spent"
            if why is not None:
                self.log.note(url, why)
                raise requests.RequestException(why)
            return min(float(self.log.policy.timeout), remaining)

        def _send(self, method: str, url: str, headers: dict[str, str], data: bytes | None) -> Any:
            timeout = self._check(url)
            try:
                response = requests.request(
                    method, url, headers=headers, data=data, timeout=timeout, allow_redirects=False
                )
            except requests.Timeout:
                self.log.note(url, f"no answer within {timeout:.3g} s")
                raise
            except requests.RequestException as exc:
                self.log.note(url, f"unreachable ({type(exc).__name__})")
                raise
            if response.status_code != 200:
                self.log.note(url, f"HTTP {response.status_code}")
                raise requests.RequestException(f"status code {response.status_code}")
            return response

        def _get(self, url: str, *, acceptable_content_types: Any) -> Any:
            import asyncio

            headers = {"Accept": ",".join(acceptable_content_types), "User-Agent": self.user_agent}
            return asyncio.to_thread(self._send, "GET", url, headers, None)

        def _post(self, url: str, data: bytes, *, content_type: str, acceptable_content_types: Any) -> Any:
            import asyncio

            headers = {
                "Accept": ",".join(acceptable_content_types),
                "User-Agent": self.user_agent,
                "Content-Type": content_type,
            }
            return asyncio.to_thread(self._send, "POST", url, headers, data)

    return Guarded


def fetcher_backend(log: FetchLog) -> Any:
    """A pyhanko-certvalidator fetcher backend that applies `log.policy` and records into `log`."""
    from pyhanko_certvalidator.fetchers import FetcherBackend, Fetchers
    from pyhanko_certvalidator.fetchers.requests_fetchers.cert_fetch_client import RequestsCertificateFetcher
    from pyhanko_certvalidator.fetchers.requests_fetchers.crl_client import RequestsCRLFetcher
    from pyhanko_certvalidator.fetchers.requests_fetchers.ocsp_client import RequestsOCSPFetcher

    guarded = _guarded_mixin()
    # the guard comes first in the MRO, so its _get/_post replace the plain requests calls
    kinds = {
        name: type(name, (guarded, base), {"log": log})
        for name, base in (
            ("OCSP", RequestsOCSPFetcher),
            ("CRL", RequestsCRLFetcher),
            ("Certs", RequestsCertificateFetcher),
        )
    }

    class Backend(FetcherBackend):
        def get_fetchers(self) -> Any:
            timeout = log.policy.timeout
            return Fetchers(
                ocsp_fetcher=kinds["OCSP"](per_request_timeout=timeout),
                crl_fetcher=kinds["CRL"](per_request_timeout=timeout),
                cert_fetcher=kinds["Certs"](per_request_timeout=timeout),
            )

        async def close(self) -> None:
            return None

    return Backend()
