"""PAdES signatures with pyHanko: sign (B-B, B-T, B-LT), verify, and test certificates."""

import logging

# pyHanko logs validation failures with tracebacks; fpcli reports them as findings instead, so its loggers
# get a handler of their own (no stderr fallback). `-vv` logging configured by the CLI still sees them.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

# asn1crypto registers the `tst_info` content type when `asn1crypto.tsp` is imported, but builds its
# name -> OID table once, on first use: if a CMS structure (a PKCS#12, a signature) was built by name before
# tsp was imported, `tst_info` stays unknown and timestamps fail ("invalid literal for int(): 'tst_info'").
# Import tsp, and complete a table built without it.
import asn1crypto.tsp  # noqa: E402, F401
from asn1crypto import cms as _cms  # noqa: E402

if _cms.ContentType._reverse_map is not None:
    for _oid, _name in _cms.ContentType._map.items():
        _cms.ContentType._reverse_map.setdefault(_name, _oid)
