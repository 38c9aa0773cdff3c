"""`fpcli ereport` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.helpers import run
from tests.conftest import EXAMPLES

HEADER = ["--issuer-siren", "340577964", "--issuer-name", "Matelas", "--sender-id", "2728",
          "--start", "2025-09-01", "--end", "2025-09-30"]  # fmt: skip


def test_build_read_validate(runner, tmp_path: Path) -> None:
    out = tmp_path / "r.xml"
    source = EXAMPLES / "ereport" / "10.3-b2c-daily.csv"
    result = run(runner, "ereport", "build", str(source), "--flow", "10.3", *HEADER, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and "4 row(s) → 3 group(s)" in result.stderr
    read = run(runner, "ereport", "read", str(out), "--json")
    assert json.loads(read.stdout)["summary"]["flows"]["10.3"]["vat"] == "677.15"
    checked = run(runner, "ereport", "validate", str(out))
    assert checked.exit_code == 0 and "VALID" in checked.stdout


def test_comma_decimal_exit_3_no_output(runner, tmp_path: Path) -> None:
    source, out = tmp_path / "in.csv", tmp_path / "r.xml"
    source.write_text('payment_date,vat_rate,amount\n2025-09-01,20,"1,50"\n')
    result = run(runner, "ereport", "build", str(source), "--flow", "10.4", *HEADER, "-o", str(out))
    assert result.exit_code == 3
    assert f"{source}: row 2, column amount: `1,50` uses a comma as decimal separator" in result.stderr
    assert not out.exists()


def test_missing_column_exit_3(runner, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("payment_date,amount\n2025-09-01,1.50\n")
    result = run(
        runner, "ereport", "build", str(source), "--flow", "10.4", *HEADER, "-o", str(tmp_path / "r.xml")
    )
    assert result.exit_code == 3 and "row 1 (header): missing column `vat_rate`" in result.stderr


def test_bad_date_option_is_usage(runner, tmp_path: Path) -> None:
    source = EXAMPLES / "ereport" / "10.4-payments-daily.csv"
    args = [a if a != "2025-09-30" else "30/09/2025" for a in HEADER]
    result = run(
        runner, "ereport", "build", str(source), "--flow", "10.4", *args, "-o", str(tmp_path / "r.xml")
    )
    assert result.exit_code == 2


def test_sender_not_a_platform_warns(runner, tmp_path: Path) -> None:
    source = EXAMPLES / "ereport" / "10.4-payments-daily.csv"
    args = [*HEADER, "--sender-scheme", "0002", "--sender-role", "SE"]
    result = run(runner, "ereport", "build", str(source), "--flow", "10.4", *args, "-o", "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("<?xml") and "warning: G6.22" in result.stderr


def test_columns(runner) -> None:
    result = run(runner, "ereport", "columns", "--flow", "10.2", "--json")
    names = [c["name"] for c in json.loads(result.stdout)["columns"]]
    assert names == ["invoice_id", "issue_date", "payment_date", "vat_rate", "amount", "currency"]
