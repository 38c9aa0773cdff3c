"""Code lists in words, French and English, for the readable view: each code a person meets on an invoice.

Names follow the published code lists (UNTDID 1001, 2005, 4451, 4461, 5189, 5305, 7161; UN/ECE
Recommendation 20 for units; the CEF VATEX list; ISO 6523 ICD and CEF EAS for schemes). Rec 20 has about
2 000 units: the ones invoices use are here; any other code is shown as the code itself, never guessed.
"""

from __future__ import annotations

from fpcli.lifecycle.statuses import REASONS, STATUSES

Words = dict[str, tuple[str, str]]  # code -> (French, English)

INVOICE_TYPES: Words = {
    "71": ("Demande de paiement partiel", "Request for payment"),
    "80": ("Note de débit (biens et services)", "Debit note related to goods or services"),
    "81": ("Avoir (biens et services)", "Credit note related to goods or services"),
    "82": ("Facture de services mesurés", "Metered services invoice"),
    "83": ("Avoir (ajustement financier)", "Credit note related to financial adjustments"),
    "84": ("Note de débit (ajustement financier)", "Debit note related to financial adjustments"),
    "261": ("Avoir d'autofacturation", "Self billed credit note"),
    "262": ("Avoir global (remise)", "Consolidated credit note"),
    "295": ("Facture de variation de prix", "Price variation invoice"),
    "296": ("Avoir pour variation de prix", "Credit note for price variation"),
    "308": ("Avoir de délégation", "Delcredere credit note"),
    "325": ("Facture pro forma", "Proforma invoice"),
    "326": ("Facture partielle", "Partial invoice"),
    "380": ("Facture", "Commercial invoice"),
    "381": ("Avoir", "Credit note"),
    "383": ("Note de débit", "Debit note"),
    "384": ("Facture rectificative", "Corrected invoice"),
    "385": ("Facture récapitulative", "Consolidated invoice"),
    "386": ("Facture d'acompte", "Prepayment invoice"),
    "387": ("Facture de location", "Hire invoice"),
    "388": ("Facture de taxe", "Tax invoice"),
    "389": ("Autofacture", "Self-billed invoice"),
    "390": ("Facture de délégation", "Delcredere invoice"),
    "393": ("Facture d'affacturage", "Factored invoice"),
    "394": ("Facture de crédit-bail", "Lease invoice"),
    "395": ("Facture en consignation", "Consignment invoice"),
    "396": ("Avoir d'affacturage", "Factored credit note"),
    "420": ("Paiement par lecture optique (OCR)", "Optical Character Reading (OCR) payment"),
    "456": ("Note de débit (ajustement)", "Debit advice"),
    "457": ("Contre-passation de débit", "Reversal of debit"),
    "458": ("Contre-passation de crédit", "Reversal of credit"),
    "500": ("Autofacture d'acompte", "Self billed prepayment invoice"),
    "501": ("Autofacture affacturée", "Self billed factored invoice"),
    "502": ("Avoir autofacturé affacturé", "Self billed factored credit note"),
    "503": ("Avoir sur facture d'acompte", "Prepayment invoice credit note"),
    "527": ("Note de débit d'autofacturation", "Self billed debit note"),
    "532": ("Avoir de transitaire", "Forwarder's credit note"),
    "575": ("Facture d'assureur", "Insurer's invoice"),
    "623": ("Facture de transitaire", "Forwarder's invoice"),
    "633": ("Facture de frais portuaires", "Port charges documents"),
    "751": ("Facture (information comptable)", "Invoice information for accounting purposes"),
    "780": ("Facture de fret", "Freight invoice"),
    "817": ("Facture de réclamation", "Claim notification"),
    "870": ("Facture de frais consulaires", "Consular invoice"),
    "875": ("Facture partielle de construction", "Partial construction invoice"),
    "876": ("Facture finale partielle de construction", "Partial final construction invoice"),
    "877": ("Facture finale de construction", "Final construction invoice"),
    "935": ("Facture douanière", "Customs invoice"),
}

VAT_CATEGORIES: Words = {
    "S": ("Taux normal", "Standard rate"),
    "Z": ("Taux zéro", "Zero rated goods"),
    "E": ("Exonéré de TVA", "Exempt from VAT"),
    "AE": ("Autoliquidation", "VAT reverse charge"),
    "K": ("Livraison intracommunautaire exonérée", "Intra-community supply, VAT exempt"),
    "G": ("Exportation hors UE exonérée", "Free export item, VAT not charged"),
    "O": ("Hors champ de la TVA", "Services outside scope of tax"),
    "L": ("IGIC (îles Canaries)", "Canary Islands general indirect tax"),
    "M": ("IPSI (Ceuta et Melilla)", "Tax for production, services and importation in Ceuta and Melilla"),
}

VATEX: Words = {
    "VATEX-EU-79-C": (
        "Exonération, article 79 point c de la directive 2006/112",
        "Exempt based on article 79, point c",
    ),
    "VATEX-EU-132": ("Exonération, article 132 de la directive 2006/112", "Exempt based on article 132"),
    "VATEX-EU-143": ("Exonération, article 143 de la directive 2006/112", "Exempt based on article 143"),
    "VATEX-EU-148": ("Exonération, article 148 de la directive 2006/112", "Exempt based on article 148"),
    "VATEX-EU-151": ("Exonération, article 151 de la directive 2006/112", "Exempt based on article 151"),
    "VATEX-EU-309": ("Exonération, article 309 de la directive 2006/112", "Exempt based on article 309"),
    "VATEX-EU-AE": ("Autoliquidation", "Reverse charge"),
    "VATEX-EU-D": ("Régime de la marge — agences de voyage", "Travel agents VAT scheme"),
    "VATEX-EU-F": ("Régime de la marge — biens d'occasion", "Second hand goods"),
    "VATEX-EU-G": ("Exportation hors UE", "Export outside the EU"),
    "VATEX-EU-I": ("Régime de la marge — objets d'art", "Works of art"),
    "VATEX-EU-IC": ("Livraison intracommunautaire", "Intra-community supply"),
    "VATEX-EU-J": (
        "Régime de la marge — objets de collection et d'antiquité",
        "Collectors items and antiques",
    ),
    "VATEX-EU-O": ("Hors champ de la TVA", "Not subject to VAT"),
    "VATEX-FR-FRANCHISE": ("Franchise en base de TVA", "France domestic VAT franchise in base"),
    "VATEX-FR-CNWVAT": (
        "Facture émise par un tiers non assujetti à la TVA",
        "France domestic Credit Notes without VAT",
    ),
}

PAYMENT_MEANS: Words = {
    "1": ("Non défini", "Instrument not defined"),
    "10": ("Espèces", "In cash"),
    "20": ("Chèque", "Cheque"),
    "30": ("Virement", "Credit transfer"),
    "31": ("Virement (débit)", "Debit transfer"),
    "42": ("Paiement sur compte bancaire", "Payment to bank account"),
    "48": ("Carte bancaire", "Bank card"),
    "49": ("Prélèvement", "Direct debit"),
    "54": ("Carte de crédit", "Credit card"),
    "55": ("Carte de débit", "Debit card"),
    "57": ("Accord permanent", "Standing agreement"),
    "58": ("Virement SEPA", "SEPA credit transfer"),
    "59": ("Prélèvement SEPA", "SEPA direct debit"),
    "68": ("Paiement en ligne", "Online payment service"),
    "97": ("Compensation", "Clearing between partners"),
    "ZZZ": ("Défini d'un commun accord", "Mutually defined"),
}

UNITS: Words = {
    "C62": ("unité", "one"),
    "H87": ("pièce", "piece"),
    "EA": ("unité", "each"),
    "XPP": ("pièce", "piece (package)"),
    "XBX": ("boîte", "box"),
    "XPK": ("colis", "package"),
    "XPA": ("paquet", "packet"),
    "XCT": ("carton", "carton"),
    "PR": ("paire", "pair"),
    "SET": ("lot", "set"),
    "LS": ("forfait", "lump sum"),
    "NAR": ("nombre d'articles", "number of articles"),
    "NPR": ("nombre de paires", "number of pairs"),
    "SEC": ("seconde", "second"),
    "MIN": ("minute", "minute"),
    "HUR": ("heure", "hour"),
    "DAY": ("jour", "day"),
    "WEE": ("semaine", "week"),
    "MON": ("mois", "month"),
    "QAN": ("trimestre", "quarter"),
    "ANN": ("année", "year"),
    "E48": ("unité de service", "service unit"),
    "E49": ("jour ouvré", "working day"),
    "GRM": ("gramme", "gram"),
    "KGM": ("kilogramme", "kilogram"),
    "TNE": ("tonne", "tonne"),
    "MGM": ("milligramme", "milligram"),
    "MLT": ("millilitre", "millilitre"),
    "CLT": ("centilitre", "centilitre"),
    "LTR": ("litre", "litre"),
    "MTQ": ("mètre cube", "cubic metre"),
    "MMT": ("millimètre", "millimetre"),
    "CMT": ("centimètre", "centimetre"),
    "MTR": ("mètre", "metre"),
    "KMT": ("kilomètre", "kilometre"),
    "MTK": ("mètre carré", "square metre"),
    "KWH": ("kilowattheure", "kilowatt hour"),
    "MWH": ("mégawattheure", "megawatt hour"),
    "KWT": ("kilowatt", "kilowatt"),
    "P1": ("pour cent", "percent"),
    "D64": ("bloc", "block"),
    "KTM": ("kilomètre", "kilometre"),
    "TKM": ("tonne-kilomètre", "tonne kilometre"),
    "XBO": ("bouteille", "bottle"),
    "XPX": ("palette", "pallet"),
    "CMK": ("centimètre carré", "square centimetre"),
    "ZZ": ("défini d'un commun accord", "mutually defined"),
}

ALLOWANCE_REASONS: Words = {
    "41": ("Bonus pour travaux en avance", "Bonus for works ahead of schedule"),
    "42": ("Autre bonus", "Other bonus"),
    "60": ("Remise du fabricant au consommateur", "Manufacturer's consumer discount"),
    "62": ("Statut militaire", "Due to military status"),
    "63": ("Accident du travail", "Due to work accident"),
    "64": ("Accord spécial", "Special agreement"),
    "65": ("Remise pour défaut de production", "Production error discount"),
    "66": ("Remise pour nouveau point de vente", "New outlet discount"),
    "67": ("Remise sur échantillon", "Sample discount"),
    "68": ("Remise de fin de série", "End-of-range discount"),
    "70": ("Remise Incoterm", "Incoterm discount"),
    "71": ("Remise au point de vente", "Point of sales threshold allowance"),
    "88": ("Remise sur matériel", "Material surcharge/deduction"),
    "95": ("Remise", "Discount"),
    "100": ("Remise spéciale", "Special rebate"),
    "102": ("Remise fixe à long terme", "Fixed long term"),
    "103": ("Temporaire", "Temporary"),
    "104": ("Standard", "Standard"),
    "105": ("Chiffre d'affaires annuel", "Yearly turnover"),
}

CHARGE_REASONS: Words = {
    "AA": ("Publicité", "Advertising"),
    "AAA": ("Télécommunications", "Telecommunication"),
    "ABK": ("Divers", "Miscellaneous"),
    "ABL": ("Emballage supplémentaire", "Additional packaging"),
    "ADR": ("Autres services", "Other services"),
    "ADT": ("Enlèvement", "Pick-up"),
    "FC": ("Fret", "Freight service"),
    "FI": ("Frais financiers", "Financing"),
    "LA": ("Étiquetage", "Labelling"),
    "PC": ("Emballage", "Packing"),
    "SH": ("Manutention spéciale", "Special handling"),
    "TAC": ("Formation", "Training"),
    "ZZZ": ("Défini d'un commun accord", "Mutually defined"),
}

NOTE_SUBJECTS: Words = {
    "AAB": ("Escompte", "Terms of payments"),
    "AAI": ("Informations générales", "General information"),
    "AAK": ("Conditions de prix", "Price conditions"),
    "ABL": ("Informations légales", "Government information"),
    "ACC": ("Clause d'affacturage", "Factor assignment clause"),
    "ADU": ("Note", "Note"),
    "BLU": ("Éco-participation", "Waste information"),
    "CUS": ("Douane", "Customs declaration information"),
    "PMD": ("Pénalités de retard", "Payment detail/remittance information"),
    "PMT": ("Indemnité forfaitaire de recouvrement", "Payment information"),
    "REG": ("Informations réglementaires", "Regulatory information"),
    "SUR": ("Remarques du fournisseur", "Supplier remarks"),
    "TXD": ("Informations fiscales", "Tax declaration"),
}

TAX_POINT: Words = {
    # UNTDID 2005 in UBL, UNTDID 2475 in CII
    "3": ("Date de facture", "Invoice document issue date"),
    "35": ("Date de livraison", "Delivery date, actual"),
    "432": ("Date de paiement", "Paid to date"),
    "5": ("Date de facture", "Date of invoice"),
    "29": ("Date de livraison", "Date of delivery of goods to establishments/domicile/site"),
    "72": ("Date de paiement", "Paid to date"),
}

SCHEMES: Words = {
    "0002": ("SIREN", "SIREN (France)"),
    "0009": ("SIRET", "SIRET (France)"),
    "0060": ("DUNS", "DUNS"),
    "0088": ("GLN", "GLN"),
    "0106": ("KvK", "KvK (Netherlands)"),
    "0192": ("Orgnr (Norvège)", "Organisasjonsnummer (Norway)"),
    "0204": ("Leitweg-ID", "Leitweg-ID (Germany)"),
    "0208": ("Numéro d'entreprise (Belgique)", "Enterprise number (Belgium)"),
    "0223": ("Entreprise de l'UE (hors France)", "EU company (outside France)"),
    "0224": ("Code de routage (France)", "Routing code (France)"),
    "0225": ("Adresse électronique (annuaire PPF)", "Electronic address (French directory)"),
    "0226": ("Particulier (France)", "Private individual (France)"),
    "0227": ("Identifiant hors UE", "Non-EU identifier"),
    "0228": ("RIDET (Nouvelle-Calédonie)", "RIDET (New Caledonia)"),
    "0229": ("TAHITI (Polynésie française)", "TAHITI (French Polynesia)"),
    "0238": ("Plateforme agréée", "Approved platform"),
    "9957": ("TVA France", "French VAT number"),
    "EM": ("Courriel", "Email"),
    "SEPA": ("Identifiant créancier SEPA", "SEPA creditor id"),
}

EREPORT_CATEGORIES: Words = {
    "TLB1": ("Livraisons de biens", "Supplies of goods"),
    "TPS1": ("Prestations de services", "Supplies of services"),
    "TNT1": ("Opérations non taxables en France", "Not taxable in France"),
    "TMA1": ("Régime de la marge", "Margin scheme"),
}

EREPORT_FLOWS: Words = {
    "10.1": (
        "Transactions B2B internationales (par facture)",
        "International B2B transactions (per invoice)",
    ),
    "10.2": ("Paiements des factures (10.1)", "Payments of invoices (10.1)"),
    "10.3": ("Transactions B2C (par jour et catégorie)", "B2C transactions (per day and category)"),
    "10.4": ("Paiements des transactions (10.3)", "Payments of transactions (10.3)"),
}

CDAR_PHASES: Words = {"305": ("Transmission", "Transmission"), "23": ("Traitement", "Processing")}

ROLES: Words = {
    "SE": ("Vendeur", "Seller"),
    "BY": ("Acheteur", "Buyer"),
    "WK": ("Plateforme", "Platform"),
    "DFH": ("Administration fiscale (PPF)", "Tax administration (PPF)"),
    "PE": ("Bénéficiaire", "Payee"),
    "II": ("Émetteur de la facture", "Invoice issuer"),
    "IV": ("Destinataire de la facture", "Invoicee"),
    "AB": ("Acheteur (mandataire)", "Buyer's agent"),
    "SR": ("Vendeur (mandataire)", "Seller's agent"),
}

LISTS: dict[str, Words] = {
    "invoice_type": INVOICE_TYPES,
    "vat_category": VAT_CATEGORIES,
    "vatex": VATEX,
    "payment_means": PAYMENT_MEANS,
    "unit": UNITS,
    "allowance_reason": ALLOWANCE_REASONS,
    "charge_reason": CHARGE_REASONS,
    "note_subject": NOTE_SUBJECTS,
    "tax_point": TAX_POINT,
    "scheme": SCHEMES,
    "ereport_category": EREPORT_CATEGORIES,
    "ereport_flow": EREPORT_FLOWS,
    "cdar_phase": CDAR_PHASES,
    "role": ROLES,
}


def word(kind: str, code: str | None, lang: str) -> str | None:
    """The words for `code` in list `kind`, in `lang` ("fr" or "en"); None when the list does not know it."""
    if code is None:
        return None
    if kind == "cdar_status":
        status = STATUSES.get(code)
        return (status.name if lang == "fr" else status.english) if status else None
    if kind == "cdar_reason":
        return REASONS.get(code)  # published in French only (BR-FR-CDV-CL-09)
    found = LISTS[kind].get(code.strip().upper() if kind in ("vatex", "unit") else code.strip())
    if found is None:
        return None
    return found[0] if lang == "fr" else found[1]
