"""The one source of "now" for outputs: SOURCE_DATE_EPOCH when set (reproducible builds), else the clock."""

from __future__ import annotations

import datetime as dt
import os

from fpcli.errors import UsageError


def source_date() -> dt.datetime:
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw == "":
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        return dt.datetime.fromtimestamp(int(raw), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"SOURCE_DATE_EPOCH=`{raw}` is not a Unix timestamp", hint="unset it or give whole seconds"
        ) from None
