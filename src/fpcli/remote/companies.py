"""Public company data from the "Recherche d'entreprises" API (recherche-entreprises.api.gouv.fr, DINUM).

A look-up by SIRET: `GET /search?q=<SIRET>`; the result whose SIREN matches and whose establishment (siège or
matching establishment) has that SIRET gives the name, address, VAT numbers, legal form and state. The API
allows at most 7 requests per second per IP: fpcli spaces its calls accordingly (and honours 429).
Look-ups are cached on disk (`FPCLI_CACHE_TTL`, default 7 days); `offline` answers from the cache only.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from fpcli.errors import InputError, RemoteError, UsageError
from fpcli.remote.cache import JsonCache
from fpcli.remote.http import Http

DEFAULT_URL = "https://recherche-entreprises.api.gouv.fr"
SERVICE = "Recherche d'entreprises"
MAX_RATE = 7.0  # requests per second, the API's published limit
DEFAULT_TTL = 7 * 24 * 3600.0
# INSEE "catégories juridiques" most invoices meet (niveau III); others keep their code.
LEGAL_FORMS = {
    "1000": "Entrepreneur individuel",
    "5410": "SARL nationale",
    "5498": "EURL",
    "5499": "SARL",
    "5505": "SA à participation ouvrière",
    "5599": "SA à conseil d'administration",
    "5699": "SA à directoire",
    "5710": "SAS",
    "5720": "SASU",
    "6540": "SCI",
    "9220": "Association déclarée",
}


class RateLimiter:
    """At most `rate` calls per second in this process (monotonic spacing, thread-safe)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next_at = 0.0
        self.lock = threading.Lock()

    def wait(self) -> float:
        with self.lock:
            now = time.monotonic()
            delay = max(0.0, self.next_at - now)
            self.next_at = max(now, self.next_at) + self.interval
        if delay:
            time.sleep(delay)
        return delay


_LIMITER = RateLimiter(MAX_RATE)


@dataclass
class Company:
    siren: str
    siret: str
    name: str
    address_line: str | None
    postcode: str | None
    city: str | None
    country: str = "FR"
    vat_id: str | None = None
    vat_source: str = "api"  # api | derived (from the SIREN with the French key)
    legal_form_code: str | None = None
    legal_form: str | None = None
    state: str = "A"  # A active, C ceased (unité légale)
    establishment_state: str = "A"
    public: bool = False
    trade_name: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def french_vat(siren: str) -> str:
    """FR + key + SIREN; key = (12 + 3 × (SIREN mod 97)) mod 97 (the DGFiP rule)."""
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def _address(est: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    parts = [est.get(k) for k in ("numero_voie", "indice_repetition", "type_voie", "libelle_voie")]
    line = " ".join(str(p) for p in parts if p) or None
    if line is None and est.get("adresse"):
        line = str(est["adresse"]).split(" " + str(est.get("code_postal") or "#"))[0] or None
    city = est.get("libelle_commune") or est.get("commune")
    return line, est.get("code_postal"), str(city) if city else None


def company_from_result(result: dict[str, Any], siret: str) -> Company | None:
    """The establishment `siret` of one API result, or None if the result does not hold it."""
    establishments = [result.get("siege") or {}, *(result.get("matching_etablissements") or [])]
    est = next((e for e in establishments if e.get("siret") == siret), None)
    if est is None or result.get("siren") != siret[:9]:
        return None
    line, postcode, city = _address(est)
    vats = [v for v in (result.get("tva") or []) if isinstance(v, str) and v.startswith("FR")]
    code = str(result.get("nature_juridique") or "") or None
    complements = result.get("complements") or {}
    public = bool(complements.get("est_administration") or complements.get("est_service_public")) or bool(
        code and code.startswith("7")
    )
    return Company(
        siren=siret[:9],
        siret=siret,
        name=str(result.get("nom_raison_sociale") or result.get("nom_complet") or "").strip(),
        address_line=line,
        postcode=postcode,
        city=city,
        vat_id=vats[0] if vats else french_vat(siret[:9]),
        vat_source="api" if vats else "derived",
        legal_form_code=code,
        legal_form=LEGAL_FORMS.get(code or ""),
        state=str(result.get("etat_administratif") or "A"),
        establishment_state=str(est.get("etat_administratif") or "A"),
        public=public,
        trade_name=est.get("nom_commercial") or None,
    )


class CompanyDirectory:
    def __init__(
        self,
        http: Http,
        *,
        offline: bool = False,
        base_url: str | None = None,
        cache: JsonCache | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.http = http
        self.offline = offline
        self.base = (base_url or os.environ.get("FPCLI_COMPANIES_URL") or DEFAULT_URL).rstrip("/")
        ttl = float(os.environ.get("FPCLI_CACHE_TTL") or DEFAULT_TTL)
        self.cache = cache or JsonCache("companies", ttl)
        self.limiter = limiter or _LIMITER

    def by_siret(self, siret: str, source: str, where: str) -> tuple[Company, str]:
        """The company at `siret` and how it was found ("cached 2 h ago" / "looked up"). Raises InputError."""
        from stdnum.fr import siret as siret_check

        if not siret_check.is_valid(siret):
            raise InputError.at(source, where, f"`{siret}` is not a valid SIRET (14 digits, Luhn key)")
        hit = self.cache.get(siret)
        if hit is not None:
            company, how = Company(**hit[0]), f"cache, {hit[1] / 3600:.1f} h old"
        elif self.offline:
            raise UsageError(
                f"{source}: {where}: SIRET {siret} is not in the local cache and `--offline` forbids a "
                "look-up",
                hint="run once without `--offline` to fill the cache, or give the full invoice input",
            )
        else:
            company, how = self._lookup(siret, source, where), f"{SERVICE}, {self.base}"
            self.cache.put(siret, company.to_dict())
        if company.state == "C":
            raise InputError.at(
                source, where, f"SIRET {siret} ({company.name}): the company has ceased (état C)"
            )
        if company.establishment_state == "F":
            raise InputError.at(
                source, where, f"SIRET {siret} ({company.name}): this establishment is closed"
            )
        return company, how

    def _lookup(self, siret: str, source: str, where: str) -> Company:
        self.limiter.wait()
        response = self.http.request(
            "GET",
            f"{self.base}/search",
            service=SERVICE,
            idempotent=True,
            params={"q": siret, "page": 1, "per_page": 5, "limite_matching_etablissements": 10},
        )
        try:
            body = response.json()
        except ValueError:
            raise RemoteError(f"{SERVICE}: the answer is not JSON") from None
        for result in body.get("results") or [] if isinstance(body, dict) else []:
            company = company_from_result(result, siret)
            if company is not None:
                return company
        raise InputError.at(source, where, f"SIRET {siret} is unknown to {SERVICE} (or not public)")
