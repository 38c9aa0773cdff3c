"""Test servers on 127.0.0.1 for the public services fpcli looks up: "Recherche d'entreprises" (every request
checked against its OpenAPI file in ../shared) and Chorus Pro through PISTE (shaped like the real API: OAuth2
token, `cpro-account` header, JSON POSTs answering `codeRetour`). Faults are queued per endpoint like the PA's:
"slow", "500", "429", "drop", "expire_token"."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.conftest import SHARED
from tests.remote.loopback import JsonHandler, LoopbackServer
from tests.remote.openapi_check import OpenApiChecker


def _result(siret: str, name: str, nature: str, *, state: str = "A", est_state: str = "A", tva: bool = True,
            public: bool = False, street: str, postcode: str, city: str) -> dict[str, Any]:  # fmt: skip
    siren = siret[:9]
    number, _, rest = street.partition(" ")
    kind, _, label = rest.partition(" ")
    siege = {
        "siret": siret, "est_siege": True, "etat_administratif": est_state, "numero_voie": number,
        "type_voie": kind.upper(), "libelle_voie": label.upper(), "code_postal": postcode,
        "libelle_commune": city.upper(), "commune": "69382", "adresse": f"{street} {postcode} {city}".upper(),
    }  # fmt: skip
    key = (12 + 3 * (int(siren) % 97)) % 97
    return {
        "siren": siren, "nom_complet": name, "nom_raison_sociale": name, "nature_juridique": nature,
        "etat_administratif": state, "siege": siege, "matching_etablissements": [siege],
        "tva": [f"FR{key:02d}{siren}"] if tva else [],
        "complements": {"est_administration": public, "est_service_public": public},
    }  # fmt: skip


COMPANIES = {
    "12345678200010": _result("12345678200010", "ATELIER NUMERIQUE", "5710", street="12 rue de la Republique",
                              postcode="69002", city="Lyon"),
    "98765432400019": _result("98765432400019", "BOULANGERIE DUPONT ET FILS", "5499", tva=False,
                              street="3 place du Marche", postcode="69100", city="Villeurbanne"),
    "11004301500012": _result("11004301500012", "MINISTERE DES ARMEES", "7113", public=True,
                              street="60 boulevard du General Martial Valin", postcode="75015", city="Paris"),
    "55210055400013": _result("55210055400013", "ANCIENNE SOCIETE", "5499", state="C", est_state="F",
                              street="1 rue Ferme", postcode="75001", city="Paris"),
}  # fmt: skip


@dataclass
class ServerState:
    faults: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    calls: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    call_times: list[float] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    token_requests: int = 0
    deposits: list[dict[str, Any]] = field(default_factory=list)
    reports_read: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    slow_seconds: float = 1.5
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_fault(self, key: str) -> str | None:
        with self.lock:
            self.calls.append(key)
            self.call_times.append(time.monotonic())
            return self.faults[key].pop(0) if self.faults[key] else None


class _FaultingHandler(JsonHandler):
    state: ServerState

    def _fault_before(self, fault: str | None) -> bool:
        """Apply a fault that refuses the request; True when an answer was sent."""
        if fault == "429":
            self._send(429, {"erreur": "trop de requêtes"}, headers={"Retry-After": "1"})
            return True
        if fault == "500":
            self._send(500, {"erreur": "erreur interne"})
            return True
        if fault == "503":
            self._send(503, {"erreur": "service indisponible"}, headers={"Retry-After": "0"})
            return True
        return False

    def _fault_after(self, fault: str | None) -> bool:
        if fault == "slow":
            time.sleep(self.state.slow_seconds)
        if fault == "drop":
            self._drop()
            return True
        return False


class CompaniesServer(LoopbackServer):
    def __init__(self) -> None:
        self.state = ServerState()
        self.api = OpenApiChecker(SHARED / "reference/fr/recherche-entreprises/open-api.yml")
        super().__init__(type("Handler", (_CompaniesHandler,), {"server_obj": self, "state": self.state}))


class _CompaniesHandler(_FaultingHandler):
    server_obj: CompaniesServer

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        query = parse_qs(split.query)
        _, problems = self.server_obj.api.check("GET", split.path, query, dict(self.headers), b"")
        self.state.violations += problems
        fault = self.state.take_fault(split.path)
        if self._fault_before(fault):
            return
        q = (query.get("q") or [""])[0]
        hits = [r for s, r in COMPANIES.items() if q in (s, s[:9])]
        body = {"results": hits, "total_results": len(hits), "page": 1, "per_page": 5, "total_pages": 1}
        if self._fault_after(fault):
            return
        self._send(200, body)


STRUCTURES = {
    "11004301500012": {
        "idStructureCPP": 25000001, "raisonSociale": "MINISTERE DES ARMEES",
        "parametres": {"codeServiceDoitEtreRenseigne": True, "numeroEJDoitEtreRenseigne": True},
        "services": [{"idService": 1, "codeService": "SGA-ACHATS", "libelleService": "Achats", "estActif": True},
                     {"idService": 2, "codeService": "OLD", "libelleService": "Ancien", "estActif": False}],
    },
}  # fmt: skip
REQUIRED = {
    "/factures/v1/deposer/flux": ("fichierFlux", "nomFichier", "syntaxeFlux"),
    "/transverses/v1/consulterCR": ("numeroFluxDepot",),
    "/factures/v1/rechercher/fournisseur": ("pagination",),
    "/factures/v1/consulter/fournisseur": ("idFacture",),
    "/factures/v1/telecharger/groupe": ("listeFacture", "format"),
    "/structures/v1/rechercher": ("structure", "pagination"),
    "/structures/v1/consulter": ("idStructureCPP",),
    "/structures/v1/rechercher/services": ("idStructure", "pagination"),
}
SYNTAXES = {"IN_DP_E2_CII_FACTURX", "IN_DP_E1_CII_16B", "IN_DP_E1_UBL_INVOICE"}
LOGIN, PASSWORD = "TECH_1234@cpro.fr", "Tech-pa55"
CLIENT_ID, CLIENT_SECRET = "piste-app", "piste-s3cret"


class ChorusServer(LoopbackServer):
    def __init__(self) -> None:
        self.state = ServerState()
        super().__init__(type("Handler", (_ChorusHandler,), {"server_obj": self, "state": self.state}))

    def duplicates(self) -> list[str]:
        seen: dict[str, int] = defaultdict(int)
        for d in self.state.deposits:
            seen[d["sha256"]] += 1
        return [s for s, n in seen.items() if n > 1]


class _ChorusHandler(_FaultingHandler):
    server_obj: ChorusServer

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        body = self._body()
        if path == "/api/oauth/token":
            return self._token(body)
        if not path.startswith("/cpro/"):
            return self._send(404, {"codeRetour": 404, "libelle": "inconnu"})
        endpoint = path[len("/cpro") :]
        fault = self.state.take_fault(endpoint)
        if fault == "expire_token":
            self.state.tokens.clear()
        self._check(endpoint, body)
        if self.headers.get("Authorization", "").removeprefix("Bearer ") not in self.state.tokens:
            return self._send(401, {"error": "invalid_token"})
        if self._fault_before(fault):
            return None
        payload = json.loads(body or b"{}")
        answer = getattr(self, "op_" + endpoint.strip("/").replace("/", "_"))(payload)
        if self._fault_after(fault):
            return None
        return self._send(200, answer)

    def _check(self, endpoint: str, body: bytes) -> None:
        problems = []
        if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
            problems.append(f"{endpoint}: Content-Type is not application/json")
        account = base64.b64decode(self.headers.get("cpro-account", "")).decode(errors="replace")
        if account != f"{LOGIN}:{PASSWORD}":
            problems.append(f"{endpoint}: cpro-account header is not base64(login:password)")
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            problems.append(f"{endpoint}: body is not a JSON object")
        else:
            problems += [f"{endpoint}: `{k}` missing" for k in REQUIRED.get(endpoint, ()) if k not in payload]
            if endpoint == "/factures/v1/deposer/flux" and payload.get("syntaxeFlux") not in SYNTAXES:
                problems.append(f"{endpoint}: syntaxeFlux {payload.get('syntaxeFlux')} unknown")
        self.state.violations += problems

    def _token(self, body: bytes) -> None:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        self.state.token_requests += 1
        ok = (form.get("grant_type"), form.get("client_id"), form.get("client_secret"), form.get("scope")) == (
            "client_credentials", CLIENT_ID, CLIENT_SECRET, "openid")  # fmt: skip
        if not ok:
            return self._send(401, {"error": "invalid_client"})
        token = uuid.uuid4().hex
        self.state.tokens.add(token)
        return self._send(
            200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": "openid"}
        )

    # -- endpoints -----------------------------------------------------------------------------------------
    def op_factures_v1_deposer_flux(self, p: dict[str, Any]) -> dict[str, Any]:
        data = base64.b64decode(p["fichierFlux"])
        number = f"CPP{len(self.state.deposits) + 1:010d}"
        with self.state.lock:
            self.state.deposits.append({"number": number, "name": p["nomFichier"], "data": data,
                                        "sha256": hashlib.sha256(data).hexdigest(), "syntax": p["syntaxeFlux"]})  # fmt: skip
        return {
            "codeRetour": 0,
            "libelle": "GCU_MSG_01_000",
            "numeroFluxDepot": number,
            "dateDepot": "2026-11-25",
        }

    def _deposit(self, number: str) -> dict[str, Any] | None:
        return next((d for d in self.state.deposits if d["number"] == number), None)

    def op_transverses_v1_consulterCR(self, p: dict[str, Any]) -> dict[str, Any]:
        d = self._deposit(p["numeroFluxDepot"])
        if d is None:
            return {"codeRetour": 20001, "libelle": "Flux inconnu"}
        self.state.reports_read[d["number"]] += 1
        if self.state.reports_read[d["number"]] < 2:
            return {
                "codeRetour": 0,
                "numeroFluxDepot": d["number"],
                "etatCourantFlux": "IN_EN_ATTENTE_TRAITEMENT",
            }
        if b"REJECT-ME" in d["data"]:
            return {"codeRetour": 0, "numeroFluxDepot": d["number"], "etatCourantFlux": "IN_REJETE",
                    "listeErreurs": [{"codeErreur": "REJ_DOUBLON", "libelleErreur": "facture en doublon"}]}  # fmt: skip
        return {"codeRetour": 0, "numeroFluxDepot": d["number"], "etatCourantFlux": "IN_INTEGRE"}

    def _invoices(self) -> list[dict[str, Any]]:
        return [{"idFacture": i + 1, "numeroFacture": d["name"].rsplit(".", 1)[0], "statut": "MISE_A_DISPOSITION",
                 "dateFacture": "2026-11-20", "montantTTC": 100.0} for i, d in enumerate(self.state.deposits)]  # fmt: skip

    def op_factures_v1_rechercher_fournisseur(self, p: dict[str, Any]) -> dict[str, Any]:
        hits = [f for f in self._invoices() if p.get("numeroFacture") in (None, f["numeroFacture"])]
        return {
            "codeRetour": 0,
            "listeFactures": hits,
            "parametresRetour": {"pageCourante": 1, "pages": 1, "total": len(hits)},
        }

    def op_factures_v1_consulter_fournisseur(self, p: dict[str, Any]) -> dict[str, Any]:
        hits = [f for f in self._invoices() if f["idFacture"] == p["idFacture"]]
        return {"codeRetour": 0, **hits[0]} if hits else {"codeRetour": 20002, "libelle": "Facture inconnue"}

    def op_factures_v1_telecharger_groupe(self, p: dict[str, Any]) -> dict[str, Any]:
        index = p["listeFacture"][0]["idFacture"] - 1
        data = self.state.deposits[index]["data"]
        return {"codeRetour": 0, "fichierResultat": base64.b64encode(data).decode()}

    def op_structures_v1_rechercher(self, p: dict[str, Any]) -> dict[str, Any]:
        siret = p["structure"]["identifiantStructure"]
        s = STRUCTURES.get(siret)
        found = [{"idStructureCPP": s["idStructureCPP"], "identifiantStructure": siret,
                  "designationStructure": s["raisonSociale"]}] if s else []  # fmt: skip
        return {"codeRetour": 0, "listeStructures": found, "parametresRetour": {"total": len(found)}}

    def _structure(self, structure_id: int) -> dict[str, Any]:
        return next(s for s in STRUCTURES.values() if s["idStructureCPP"] == structure_id)

    def op_structures_v1_consulter(self, p: dict[str, Any]) -> dict[str, Any]:
        s = self._structure(p["idStructureCPP"])
        return {
            "codeRetour": 0,
            "idStructureCPP": s["idStructureCPP"],
            "raisonSociale": s["raisonSociale"],
            "parametres": s["parametres"],
        }

    def op_structures_v1_rechercher_services(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"codeRetour": 0, "listeServices": self._structure(p["idStructure"])["services"]}
