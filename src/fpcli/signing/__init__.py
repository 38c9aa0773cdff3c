"""PAdES signatures with pyHanko: sign (B-B, B-T, B-LT), verify, and test certificates."""

import logging

# pyHanko logs validation failures with tracebacks; fpcli reports them as findings instead, so its loggers
# get a handler of their own (no stderr fallback). `-vv` logging configured by the CLI still sees them.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
