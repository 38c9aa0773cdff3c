"""Chorus Pro (public-sector invoicing, AIFE) through PISTE.

Authentication: a PISTE OAuth2 token (client credentials, `scope=openid`) as `Authorization: Bearer`, plus the
Chorus Pro technical account in `cpro-account: base64(login:password)`. Every call is a JSON POST under
`/cpro/<api>/v1/…`; answers carry `codeRetour` (0 = done) and `libelle`. Endpoints and fields follow the PISTE
catalogue as documented by AIFE and third parties (see ../shared/reference/fr/chorus-pro/PROVENANCE.md: no
official Swagger was available to check them against).
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from typing import Any

from fpcli.errors import AuthError, RemoteError, UsageError
from fpcli.profiles import config
from fpcli.profiles.models import ChorusConfig
from fpcli.profiles.secrets import JsonFile, SecretStore, chorus_key, env_token_cache
from fpcli.remote.http import Http, RemoteNotFound, RemoteUncertain
from fpcli.remote.tokens import Token, oauth2_token, post_json

SANDBOX = ("https://sandbox-api.piste.gouv.fr/cpro", "https://sandbox-oauth.piste.gouv.fr/api/oauth/token")
PRODUCTION = ("https://api.piste.gouv.fr/cpro", "https://oauth.piste.gouv.fr/api/oauth/token")
SERVICE = "Chorus Pro"
PISTE_TOKEN_DEFAULT = 3600.0  # seconds, when PISTE's answer gives no expires_in
# syntaxeFlux of a deposit, by what the file is (AIFE "flux E1/E2" codes).
SYNTAX = {"Factur-X": "IN_DP_E2_CII_FACTURX", "CII": "IN_DP_E1_CII_16B", "UBL": "IN_DP_E1_UBL_INVOICE"}
FINAL_STATES = ("IN_INTEGRE", "IN_INTEGRE_PARTIEL", "IN_REJETE")
ENV = {
    "api_url": "FPCLI_CHORUS_API_URL",
    "token_url": "FPCLI_CHORUS_TOKEN_URL",
    "client_id": "FPCLI_CHORUS_CLIENT_ID",
    "technical_login": "FPCLI_CHORUS_LOGIN",
}
SECRET_ENV = {"client_secret": "FPCLI_CHORUS_CLIENT_SECRET", "technical_password": "FPCLI_CHORUS_PASSWORD"}


@dataclass
class ChorusTarget:
    profile: str | None
    settings: ChorusConfig
    store: SecretStore

    @property
    def api_url(self) -> str:
        return (self.settings.api_url or (SANDBOX if self.settings.sandbox else PRODUCTION)[0]).rstrip("/")

    @property
    def token_url(self) -> str:
        return self.settings.token_url or (SANDBOX if self.settings.sandbox else PRODUCTION)[1]

    @property
    def label(self) -> str:
        mode = "sandbox" if self.settings.sandbox else "production"
        return f"{self.profile or 'env'}/chorus ({mode})"

    def secret(self, what: str) -> str | None:
        if value := os.environ.get(SECRET_ENV[what]):
            return value
        return self.store.get(chorus_key(self.profile, what)) if self.profile else None

    def token_cache(self) -> tuple[SecretStore | JsonFile, str] | None:
        """Where the PISTE token is cached; None: memory only. Secrets from the environment: no store."""
        if os.environ.get(SECRET_ENV["client_secret"]):
            key = f"{self.profile or 'env'}/chorus@{self.token_url}#{self.settings.client_id}"
            return env_token_cache(key)
        return (self.store, chorus_key(self.profile, "token")) if self.profile else None


def resolve_chorus(profile_name: str | None) -> ChorusTarget:
    profiles = config.load()
    name = profile_name or profiles.default
    base = config.get(profiles, name).chorus if name else None
    values = (base or ChorusConfig()).model_dump(exclude_none=True)
    values.update({k: v for k, env in ENV.items() if (v := os.environ.get(env))})
    if os.environ.get("FPCLI_CHORUS_SANDBOX"):
        values["sandbox"] = os.environ["FPCLI_CHORUS_SANDBOX"].lower() not in ("0", "false", "no")
    return ChorusTarget(name, ChorusConfig.model_validate(values), SecretStore())


class ChorusAuth:
    """PISTE token (cached like PA tokens: secret store, or memory when secrets come from the environment)
    and the cpro-account header."""

    def __init__(self, target: ChorusTarget, http: Http) -> None:
        self.target = target
        self.http = http
        self._token: Token | None = None

    def _need(self, what: str, value: str | None) -> str:
        if not value:
            env = SECRET_ENV.get(what) or ENV.get(what, "")
            raise AuthError(
                f"Chorus Pro: no {what.replace('_', ' ')}",
                hint=f"set {env}, or `fpcli chorus configure` (secrets go to the secret store)",
            )
        return value

    def cpro_account(self) -> str:
        login = self._need("technical_login", self.target.settings.technical_login)
        password = self._need("technical_password", self.target.secret("technical_password"))
        return base64.b64encode(f"{login}:{password}".encode()).decode()

    def token(self) -> str:
        import time

        cache = self.target.token_cache()
        if self._token is None and cache:
            raw = cache[0].get(cache[1])
            self._token = Token.loads(raw) if raw else None
        if self._token is not None and self._token.usable(time.time()):
            return self._token.access
        body = post_json(
            self.http,
            self.target.token_url,
            "PISTE OAuth2",
            data={
                "grant_type": "client_credentials",
                "client_id": self._need("client_id", self.target.settings.client_id),
                "client_secret": self._need("client_secret", self.target.secret("client_secret")),
                "scope": "openid",
            },
        )
        self._token = oauth2_token(body, "PISTE OAuth2", time.time(), PISTE_TOKEN_DEFAULT)
        if cache:
            cache[0].set(cache[1], self._token.dumps())
        return self._token.access

    def invalidate(self, refused: str | None = None) -> None:
        if self._token is not None and refused in (None, self._token.access):
            self._token.expires_at = 0.0


class ChorusClient:
    def __init__(self, target: ChorusTarget, http: Http) -> None:
        self.target = target
        self.http = http
        self.auth = ChorusAuth(target, http)

    def __enter__(self) -> ChorusClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.client.close()

    def call(self, path: str, payload: dict[str, Any], *, idempotent: bool = True) -> dict[str, Any]:
        response = self.http.request(
            "POST",
            f"{self.target.api_url}{path}",
            service=SERVICE,
            idempotent=idempotent,
            auth=self.auth,
            headers={"cpro-account": self.auth.cpro_account(), "Accept": "application/json"},
            json=payload,
        )
        # After a 2xx to a deposit, an unreadable answer does not mean it was refused.
        unreadable = RemoteError if idempotent else RemoteUncertain
        try:
            body = response.json()
        except ValueError:
            raise unreadable(f"{SERVICE}: {path}: the answer is not JSON") from None
        if not isinstance(body, dict):
            raise unreadable(f"{SERVICE}: {path}: the answer is not a JSON object")
        code = body.get("codeRetour")
        if code not in (None, 0, "0"):
            raise RemoteError(f"{SERVICE}: {path}: codeRetour {code} {body.get('libelle', '')}".rstrip())
        return body

    # -- invoices ------------------------------------------------------------------------------------------
    def deposit(self, data: bytes, filename: str, syntax: str) -> dict[str, Any]:
        if syntax not in SYNTAX:
            raise UsageError(f"Chorus Pro takes Factur-X PDF, CII or UBL invoices, not {syntax}")
        payload = {
            "fichierFlux": base64.b64encode(data).decode(),
            "nomFichier": filename,
            "syntaxeFlux": SYNTAX[syntax],
            "avecSignature": False,
        }
        body = self.call("/factures/v1/deposer/flux", payload, idempotent=False)
        if not body.get("numeroFluxDepot"):
            raise RemoteUncertain(f"{SERVICE}: the deposit answer has no numeroFluxDepot")
        return body

    def deposit_report(self, flux_number: str) -> dict[str, Any]:
        return self.call("/transverses/v1/consulterCR", {"numeroFluxDepot": flux_number})

    def search_invoices(self, criteria: dict[str, Any], page: int = 1, per_page: int = 50) -> dict[str, Any]:
        payload = {**criteria, "pagination": {"pageResultatDemandee": page, "nbResultatsParPage": per_page}}
        return self.call("/factures/v1/rechercher/fournisseur", payload)

    def invoice(self, invoice_id: int) -> dict[str, Any]:
        return self.call("/factures/v1/consulter/fournisseur", {"idFacture": invoice_id})

    def download(self, invoice_id: int) -> bytes:
        body = self.call(
            "/factures/v1/telecharger/groupe",
            {
                "listeFacture": [{"idFacture": invoice_id}],
                "inclurePieceJointePrincipale": False,
                "format": "PDF",
            },
        )
        try:
            return base64.b64decode(body["fichierResultat"], validate=True)
        except (KeyError, ValueError, TypeError):
            raise RemoteError(f"{SERVICE}: the download answer has no valid fichierResultat") from None

    # -- structures ----------------------------------------------------------------------------------------
    def structure(self, siret: str) -> dict[str, Any]:
        """A public structure by SIRET: its Chorus Pro id, name, whether a service code or an engagement
        number is required, and its active services."""
        found = self.call(
            "/structures/v1/rechercher",
            {
                "structure": {"identifiantStructure": siret, "typeIdentifiantStructure": "SIRET"},
                "pagination": {"pageResultatDemandee": 1, "nbResultatsParPage": 10},
            },
        )
        matches = found.get("listeStructures") or []
        if not matches:
            raise RemoteNotFound(f"{SERVICE}: no public structure with SIRET {siret}")
        structure_id = matches[0]["idStructureCPP"]
        details = self.call("/structures/v1/consulter", {"idStructureCPP": structure_id})
        services = self.call(
            "/structures/v1/rechercher/services",
            {
                "idStructure": structure_id,
                "pagination": {"pageResultatDemandee": 1, "nbResultatsParPage": 100},
            },
        )
        params = details.get("parametres") or {}
        return {
            "schema_version": 1,
            "siret": siret,
            "id": structure_id,
            "name": details.get("raisonSociale") or matches[0].get("designationStructure"),
            "service_code_required": bool(params.get("codeServiceDoitEtreRenseigne")),
            "engagement_required": bool(params.get("numeroEJDoitEtreRenseigne")),
            "services": [
                {"code": s.get("codeService"), "name": s.get("libelleService")}
                for s in services.get("listeServices") or []
                if s.get("estActif", True)
            ],
        }
