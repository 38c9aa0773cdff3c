"""CII namespaces (the same URIs in D16B and D22B)."""

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "qdt": QDT, "ram": RAM, "udt": UDT}


def rsm(tag: str) -> str:
    return f"{{{RSM}}}{tag}"


def ram(tag: str) -> str:
    return f"{{{RAM}}}{tag}"


def udt(tag: str) -> str:
    return f"{{{UDT}}}{tag}"


def qdt(tag: str) -> str:
    return f"{{{QDT}}}{tag}"
