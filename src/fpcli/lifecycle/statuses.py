"""French invoice lifecycle statuses (XP Z12-012 V1.4.0) and status reason codes (BR-FR-CDV-CL-09).

Phase: 305 = transmission (the platforms report), 23 = processing (the buyer or the seller report).
MDT-88 (`StatusCode`, UNECE 4405) is given only where the annex B examples attest it (XP Z12-012 / XP Z12-014
annex B: 200 -> 10, 202 -> 43, 203 -> 48, 204 -> 45, 205 -> 1, 207 -> 46, 210 -> 50, 211/212 -> 47,
213 -> 8; 220 has none); it is optional.

Statuses 214 to 228 (BR-FR-CDV-CL-06 lists 214, 220, 221, 224-228): 220 "Annulée" follows its annex example
(XP Z12-014 annex B, UC4b_F202500006_05-CDV-220_Annulee: the seller closes the cycle of an invoice replaced by
a corrective one, to the buyer, processing phase, no MDT-88); 221 takes the reason ROUTAGE_ERR only
(BR-FR-CDV-CL-09). The annex has no example of 214, 221, 224-228 (XP Z12-014 annex B V1.4 §1.2 announces the
factoring and direct-payment statuses for a later version): their names are those of the XP Z12-012 status
list, their reporter is fpcli's reading of the name (`--issuer-role` overrides it), without MDT-88.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpcli.errors import UsageError

TRANSMISSION, PROCESSING = "305", "23"
PPF_ID = "0000"  # the PPF's platform number (scheme 0238) since XP Z12-012 V1.4.0 (BR-FR-CDV-02)


@dataclass(frozen=True)
class Status:
    code: str
    name: str  # French name
    english: str
    label: str  # MDT-106 as written in the annex examples
    phase: str
    issuer_role: str  # who reports it: WK platform, BY buyer, SE seller
    to_ppf: bool = False  # must also be sent to the tax administration (PPF)
    reasons: frozenset[str] = frozenset()  # allowed reason codes; empty: any code of the list
    reason_required: bool = False  # BR-FR-CDV-15
    status_code: str | None = None  # MDT-88

    @property
    def phase_name(self) -> str:
        return "transmission" if self.phase == TRANSMISSION else "processing"

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "english": self.english,
            "phase": self.phase_name,
            "type_code": self.phase,
            "reported_by": self.issuer_role,
            "to_tax_administration": self.to_ppf,
            "reason_required": self.reason_required,
            "reasons": sorted(self.reasons),
        }


REASONS: dict[str, str] = {
    "AUTRE": "Autre motif",
    "COORD_BANC_ERR": "Coordonnées bancaires erronées",
    "TX_TVA_ERR": "Taux de TVA erroné",
    "MONTANTTOTAL_ERR": "Montant total erroné",
    "CALCUL_ERR": "Erreur de calcul",
    "NON_CONFORME": "Mention légale absente ou non conforme",
    "DOUBLON": "Facture en doublon",
    "DEST_INC": "Destinataire inconnu",
    "DEST_ERR": "Destinataire erroné",
    "TRANSAC_INC": "Transaction inconnue",
    "EMMET_INC": "Émetteur inconnu",
    "CONTRAT_TERM": "Contrat terminé",
    "DOUBLE_FACT": "Double facturation",
    "CMD_ERR": "Référence de commande erronée",
    "ADR_ERR": "Adresse erronée",
    "SIRET_ERR": "SIRET erroné",
    "CODE_ROUTAGE_ERR": "Code de routage erroné",
    "REF_CT_ABSENT": "Référence contractuelle absente",
    "REF_ERR": "Référence erronée",
    "PU_ERR": "Prix unitaire erroné",
    "REM_ERR": "Remise erronée",
    "QTE_ERR": "Quantité erronée",
    "ART_ERR": "Article erroné",
    "MODPAI_ERR": "Modalités de paiement erronées",
    "QUALITE_ERR": "Qualité non conforme",
    "LIVR_INCOMP": "Livraison incomplète",
    "JUSTIF_ABS": "Justificatif absent",
    "NON_TRANSMISE": "Facture non transmise",
    "ROUTAGE_ERR": "Erreur de routage",
    "REJ_SEMAN": "Rejet : contrôle sémantique",
    "REJ_UNI": "Rejet : contrôle d'unicité",
    "REJ_COH": "Rejet : contrôle de cohérence",
    "REJ_ADR": "Rejet : adressage",
    "REJ_CONT_B2G": "Rejet : contrôles B2G",
    "REJ_REF_PJ": "Rejet : référence de pièce jointe",
    "REJ_ASS_PJ": "Rejet : association de pièce jointe",
    "RETRAIT_MAN_SERV": "Retrait manuel par le service (B2G)",
    "ST_CT_NON_DECLAR": "Sous-traitant non déclaré (B2G)",
    "SUPPR_COMP_AVOIR": "Suppression par avoir (B2G)",
    "TRANSF_PMNT_REGIE": "Paiement transféré à la régie (B2G)",
    "CONTACT_ACHTR": "Contacter l'acheteur (B2G)",
    "IRR_VIDE_F": "Irrecevable : fichier vide",
    "IRR_TYPE_F": "Irrecevable : type de fichier",
    "IRR_SYNTAX": "Irrecevable : syntaxe",
    "IRR_TAILLE_PJ": "Irrecevable : taille de pièce jointe",
    "IRR_NOM_PJ": "Irrecevable : nom de pièce jointe",
    "IRR_VID_PJ": "Irrecevable : pièce jointe vide",
    "IRR_EXT_DOC": "Irrecevable : extension de document",
    "IRR_TAILLE_F": "Irrecevable : taille de fichier",
    "IRR_ANTIVIRUS": "Irrecevable : antivirus",
    "IRR_NOM_F": "Irrecevable : nom de fichier",
}

_REFUSED = (
    "TX_TVA_ERR MONTANTTOTAL_ERR CALCUL_ERR NON_CONFORME DOUBLON DEST_ERR TRANSAC_INC EMMET_INC "
    "CONTRAT_TERM DOUBLE_FACT CMD_ERR ADR_ERR REF_CT_ABSENT"
)
_DISPUTED = (
    "AUTRE COORD_BANC_ERR TX_TVA_ERR MONTANTTOTAL_ERR CALCUL_ERR NON_CONFORME DOUBLON DEST_INC DEST_ERR "
    "TRANSAC_INC EMMET_INC CONTRAT_TERM DOUBLE_FACT CMD_ERR ADR_ERR SIRET_ERR CODE_ROUTAGE_ERR REF_CT_ABSENT "
    "REF_ERR PU_ERR REM_ERR QTE_ERR ART_ERR MODPAI_ERR QUALITE_ERR LIVR_INCOMP"
)
_PARTIAL = (
    "AUTRE CMD_ERR SIRET_ERR CODE_ROUTAGE_ERR REF_CT_ABSENT REF_ERR PU_ERR REM_ERR QTE_ERR ART_ERR "
    "MODPAI_ERR QUALITE_ERR LIVR_INCOMP"
)
_SUSPENDED = "JUSTIF_ABS COORD_BANC_ERR CMD_ERR SIRET_ERR CODE_ROUTAGE_ERR REF_CT_ABSENT REF_ERR"
_REJECTED = (
    "MONTANTTOTAL_ERR CALCUL_ERR DOUBLON DEST_INC ADR_ERR REJ_SEMAN REJ_UNI REJ_COH REJ_ADR REJ_CONT_B2G "
    "REJ_REF_PJ REJ_ASS_PJ"
)


def _s(code: str, name: str, english: str, label: str, phase: str, role: str, **kw: object) -> Status:
    reasons = kw.pop("reasons", "")
    assert isinstance(reasons, str)
    return Status(code, name, english, label, phase, role, reasons=frozenset(reasons.split()), **kw)  # type: ignore[arg-type]


STATUSES: dict[str, Status] = {
    s.code: s
    for s in (
        _s("200", "Déposée", "Submitted", "Déposée", TRANSMISSION, "WK", to_ppf=True, status_code="10",
           reasons="NON_TRANSMISE"),
        _s("201", "Émise par la plateforme", "Issued by the platform", "Émise", TRANSMISSION, "WK"),
        _s("202", "Reçue par la plateforme", "Received by the platform", "Reçue", TRANSMISSION, "WK",
           status_code="43"),
        _s("203", "Mise à disposition", "Made available", "Mise_à_disposition", TRANSMISSION, "WK",
           status_code="48"),
        _s("204", "Prise en charge", "In hand", "Prise_en_charge", PROCESSING, "BY", status_code="45"),
        _s("205", "Approuvée", "Approved", "Approuvée", PROCESSING, "BY", status_code="1"),
        _s("206", "Approuvée partiellement", "Partially approved", "Approuvée_partiellement", PROCESSING,
           "BY", reasons=_PARTIAL, reason_required=True),
        _s("207", "En litige", "Disputed", "En_litige", PROCESSING, "BY", reasons=_DISPUTED,
           reason_required=True, status_code="46"),
        _s("208", "Suspendue", "Suspended", "Suspendue", PROCESSING, "BY", reasons=_SUSPENDED,
           reason_required=True),
        _s("209", "Complétée", "Completed", "Complétée", PROCESSING, "SE"),
        _s("210", "Refusée", "Refused", "Refusée", PROCESSING, "BY", to_ppf=True, reasons=_REFUSED,
           reason_required=True, status_code="50"),
        _s("211", "Paiement transmis", "Payment transmitted", "Paiement_transmis", PROCESSING, "BY",
           status_code="47"),
        _s("212", "Encaissée", "Paid (cashed)", "Encaissée", PROCESSING, "SE", to_ppf=True, status_code="47"),
        _s("213", "Rejetée", "Rejected", "Rejetée", TRANSMISSION, "WK", to_ppf=True, reasons=_REJECTED,
           reason_required=True, status_code="8"),
        _s("214", "Visée", "Endorsed", "Visée", PROCESSING, "BY"),
        _s("220", "Annulée", "Cancelled", "Annulée", PROCESSING, "SE"),
        _s("221", "Erreur de routage", "Routing error", "Erreur_de_routage", PROCESSING, "BY",
           reasons="ROUTAGE_ERR"),
        _s("224", "Demande de paiement direct", "Direct payment requested", "Demande_de_paiement_direct",
           PROCESSING, "SE"),
        _s("225", "Affacturée", "Factored", "Affacturée", PROCESSING, "SE"),
        _s("226", "Affacturée confidentiel", "Factored (confidential)", "Affacturée_confidentiel",
           PROCESSING, "SE"),
        _s("227", "Changement de compte à payer", "Payee account changed", "Changement_de_compte_à_payer",
           PROCESSING, "SE"),
        _s("228", "Non affacturée", "Not factored", "Non_affacturée", PROCESSING, "SE"),
    )
}  # fmt: skip


def status(code: str) -> Status:
    found = STATUSES.get(code.strip())
    if found is None:
        raise UsageError(
            f"unknown lifecycle status `{code}`",
            hint="list the statuses fpcli creates with `fpcli cdar statuses`",
        )
    return found
