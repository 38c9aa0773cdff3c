"""Input rows for `ereport build`: CSV (comma, semicolon or tab separated, UTF-8) or JSON (a list of objects,
or `{"rows": [...]}`), with the columns of each flow (documented in docs/ereport-csv.md).

Every problem names the file, the row (the CSV line number; the header is row 1) or JSON item, and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from fpcli.errors import InputError

_DECIMAL = re.compile(r"-?\d+(\.\d+)?")


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    doc: str


def _c(name: str, doc: str, required: bool = False) -> Column:
    return Column(name, required, doc)


_RATE = _c("vat_rate", "VAT rate in percent: 20, 10, 5.5, 2.1, 0 …", True)
COLUMNS: dict[str, tuple[Column, ...]] = {
    "10.1": (
        _c("invoice_id", "invoice number (BT-1), at most 35 characters", True),
        _c("issue_date", "invoice date, YYYY-MM-DD or YYYYMMDD", True),
        _c("type_code", "invoice type (UNTDID 1001): 380 invoice, 381 credit note … (default 380)"),
        _c("currency", "invoice currency, ISO 4217 (default EUR)"),
        _c("vat_total_eur", "invoice VAT total in euros (BT-111): required when currency is not EUR"),
        _c("due_date", "payment due date"),
        _c("vat_due_code", "VAT due date code: 5, 29, 72, 3, 35 or 432"),
        _c("business_process", "billing frame: B1, S1, M1, B2, S2, M2, B4, S4, M4, S5, S6, B7, S7", True),
        _c("seller_id", "seller identifier (a SIREN with scheme 0002)", True),
        _c("seller_scheme", "scheme of seller_id: 0002, 0223, 0227, 0228, 0229 (default 0002)"),
        _c("seller_vat", "seller VAT number"),
        _c("seller_country", "seller country, ISO 3166 alpha-2"),
        _c("buyer_id", "buyer identifier (VAT number in the EU with scheme 0223)", True),
        _c("buyer_scheme", "scheme of buyer_id: 0002, 0223 (EU), 0227 (outside the EU), 0228, 0229", True),
        _c("buyer_vat", "buyer VAT number"),
        _c("buyer_country", "buyer country, ISO 3166 alpha-2"),
        _c("preceding_invoice_id", "for credit notes and corrective invoices: the invoice they correct"),
        _c("preceding_invoice_date", "date of that invoice"),
        _c("vat_category", "VAT category: S, E, AE, K, G, O, Z", True),
        _RATE,
        _c("taxable_amount", "taxable amount without VAT for this category and rate", True),
        _c("vat_amount", "VAT amount (computed when empty; checked against the rate when given)"),
        _c("exemption_code", "VATEX exemption code (mandatory with category E)"),
        _c("exemption_reason", "exemption reason text (mandatory with category E)"),
    ),
    "10.2": (
        _c("invoice_id", "invoice number", True),
        _c("issue_date", "invoice date", True),
        _c("payment_date", "date the payment was received", True),
        _RATE,
        _c("amount", "amount received under this VAT rate, VAT included", True),
        _c("currency", "currency: EUR only (amounts cashed are reported in euros)"),
    ),
    "10.3": (
        _c("date", "day of the transactions", True),
        _c("category", "TLB1 goods, TPS1 services, TNT1 not taxable in France, TMA1 margin scheme", True),
        _RATE,
        _c("taxable_amount", "taxable amount without VAT", True),
        _c("vat_amount", "VAT amount (computed when empty; checked against the rate when given)"),
        _c("count", "number of transactions (summed; reported when every row of the day gives it)"),
        _c("currency", "currency of the sales, ISO 4217 (default EUR)"),
        _c("vat_due_code", "VAT due date code: 5, 29, 72, 3, 35 or 432"),
    ),
    "10.4": (
        _c("payment_date", "day the payments were received", True),
        _RATE,
        _c("amount", "amount received under this VAT rate, VAT included", True),
        _c("currency", "currency: EUR only (amounts cashed are reported in euros)"),
    ),
}
FLOWS = tuple(COLUMNS)


@dataclass(frozen=True)
class Row:
    source: str
    where: str  # "row 3" (CSV line) or "rows[2]" (JSON)
    values: dict[str, str]

    def fail(self, column: str, problem: str, hint: str | None = None) -> InputError:
        return InputError.at(self.source, f"{self.where}, column {column}", problem, hint=hint)

    def text(self, column: str, default: str | None = None) -> str | None:
        return self.values.get(column) or default

    def decimal(self, column: str, *, places: int = 2) -> Decimal | None:
        raw = self.values.get(column)
        if not raw:
            return None
        if not _DECIMAL.fullmatch(raw):
            if re.fullmatch(r"-?\d+,\d+", raw):
                raise self.fail(
                    column,
                    f"`{raw}` uses a comma as decimal separator",
                    hint=f"write `{raw.replace(',', '.')}`",
                )
            raise self.fail(column, f"`{raw}` is not a number (digits, an optional point and decimals)")
        try:
            value = Decimal(raw)
        except InvalidOperation:  # pragma: no cover - the pattern guarantees a decimal
            raise self.fail(column, f"`{raw}` is not a number") from None
        if -value.as_tuple().exponent > places:  # type: ignore[operator]
            raise self.fail(column, f"`{raw}` has more than {places} decimals")
        return value

    def date(self, column: str) -> str | None:
        raw = self.values.get(column)
        if not raw:
            return None
        for fmt in ("%Y-%m-%d", "%Y%m%d"):
            try:
                return dt.datetime.strptime(raw, fmt).strftime("%Y%m%d")
            except ValueError:
                continue
        raise self.fail(column, f"`{raw}` is not a date: write YYYY-MM-DD (e.g. 2025-09-30)")


def _check_columns(names: list[str], flow: str, source: str, where: str) -> None:
    known = {c.name for c in COLUMNS[flow]}
    for name in names:
        if name not in known:
            raise InputError.at(
                source,
                where,
                f"unknown column `{name}` for flow {flow}",
                hint="columns: " + ", ".join(c.name for c in COLUMNS[flow]),
            )
    for c in COLUMNS[flow]:
        if c.required and c.name not in names:
            raise InputError.at(
                source,
                where,
                f"missing column `{c.name}` ({c.doc})",
                hint="required: " + ", ".join(x.name for x in COLUMNS[flow] if x.required),
            )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _csv_rows(text: str, flow: str, source: str) -> list[Row]:
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[Row] = []
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # a NUL byte, a field over csv.field_size_limit() (128 KiB), a stray quote
            raise InputError.at(source, f"row {reader.line_num}", f"malformed CSV: {exc}") from None
        line = reader.line_num
        for column, value in enumerate(fields, 1):
            if bad := _CONTROL.search(value):
                raise InputError.at(
                    source, f"row {line} column {column}", f"control character U+{ord(bad.group()):04X}"
                )
        if not any(f.strip() for f in fields):
            continue
        if header is None:
            header = [f.strip().lower() for f in fields]
            _check_columns(header, flow, source, f"row {line} (header)")
            continue
        if len(fields) != len(header):
            raise InputError.at(
                source, f"row {line}", f"{len(fields)} fields, but the header has {len(header)} columns"
            )
        rows.append(Row(source, f"row {line}", {h: f.strip() for h, f in zip(header, fields, strict=True)}))
    if header is None:
        raise InputError.at(source, None, "empty file: no header row")
    return rows


def _json_rows(text: str, flow: str, source: str) -> list[Row]:
    try:
        raw = json.loads(text, parse_float=str, parse_int=str)
    except json.JSONDecodeError as exc:
        raise InputError.at(source, f"line {exc.lineno}", f"not valid JSON: {exc.msg}") from None
    items = raw.get("rows") if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise InputError.at(source, None, 'expected a list of rows, or {"rows": [...]}')
    rows = []
    for i, item in enumerate(items):
        where = f"rows[{i}]"
        if not isinstance(item, dict):
            raise InputError.at(source, where, "each row is an object of column: value")
        _check_columns(list(item), flow, source, where)
        values = {k: "" if v is None else str(v).strip() for k, v in item.items()}
        rows.append(Row(source, where, values))
    return rows


MAX_ROWS_BYTES = 10 * 1024 * 1024  # documented in the README ("Guarantees")


def read_rows(data: bytes, source: str, flow: str) -> list[Row]:
    if len(data) > MAX_ROWS_BYTES:
        raise InputError.at(source, None, f"larger than the {MAX_ROWS_BYTES // (1024 * 1024)} MiB limit")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.at(
            source, f"byte {exc.start}", "not UTF-8 text", hint="save the spreadsheet as CSV UTF-8"
        ) from None
    stripped = text.lstrip()
    # A header without rows (or `[]`) is a period without sales: it is reported too, as an empty report.
    return _json_rows(text, flow, source) if stripped[:1] in ("[", "{") else _csv_rows(text, flow, source)


def column_docs(flow: str) -> list[dict[str, Any]]:
    return [{"name": c.name, "required": c.required, "doc": c.doc} for c in COLUMNS[flow]]
