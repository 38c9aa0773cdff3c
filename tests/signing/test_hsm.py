"""PKCS#11 signing against SoftHSM2 (Debian package softhsm2): the key never leaves the token."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fpcli.errors import AuthError, InputError
from fpcli.signing.hsm import TokenSpec, pkcs11_signer
from fpcli.signing.sign import Level, SignRequest, sign_pdf
from tests.signing.test_signing import invoice_pdf, root, verify_pdf  # noqa: F401 (fixture)

LIBS = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
LIB = next((p for p in LIBS if Path(p).exists()), None)
PIN = b"1234"

pytestmark = pytest.mark.skipif(
    LIB is None or shutil.which("softhsm2-util") is None,
    reason="SoftHSM2 (apt-get install softhsm2) not installed",
)


@pytest.fixture(scope="module")
def token(pki, tmp_path_factory: pytest.TempPathFactory):
    """A SoftHSM2 token `fpcli` holding the test PKI's signer key and certificate under the label `signer`."""
    import pkcs11
    from pkcs11 import Attribute

    home = tmp_path_factory.mktemp("softhsm")
    (home / "tokens").mkdir()
    conf = home / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {home / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    env = dict(os.environ, SOFTHSM2_CONF=str(conf))
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read by the library when it is loaded in this process
    util = ["softhsm2-util"]
    subprocess.run(
        [*util, "--init-token", "--free", "--label", "fpcli", "--pin", "1234", "--so-pin", "5678"],
        check=True,
        capture_output=True,
        env=env,
    )
    subprocess.run(
        [
            *util,
            "--import",
            str(pki.dir / "signer.key.pem"),
            "--token",
            "fpcli",
            "--label",
            "signer",
            "--id",
            "01",
            "--pin",
            "1234",
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    with pkcs11.lib(LIB).get_token(token_label="fpcli").open(user_pin="1234", rw=True) as session:
        from pkcs11.util.x509 import decode_x509_certificate

        attrs = decode_x509_certificate(pki.arch.get_cert("signer").dump())
        attrs.update({Attribute.LABEL: "signer", Attribute.ID: b"\x01", Attribute.TOKEN: True})
        session.create_object(attrs)
    yield TokenSpec(
        library=LIB, token_label="fpcli", key_label="signer", chain=(pki.write_cert("interm").read_bytes(),)
    )
    if old is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = old


def test_sign_with_key_on_token_verifies(token: TokenSpec, pki, invoice_pdf: bytes) -> None:  # noqa: F811
    with pkcs11_signer(token, PIN) as signer:
        out = sign_pdf(invoice_pdf, signer, SignRequest(Level.B_T, pki.tsa_url), "inv.pdf")
    s = verify_pdf(out, "hsm.pdf", [root(pki)]).signatures[0]
    assert s.verdict == "valid" and "Alice Comptable" in s.signer and s.pades_level == "B-T"


def test_wrong_pin_no_pin_missing_token_and_key(token: TokenSpec) -> None:
    from dataclasses import replace

    with pytest.raises(AuthError, match="wrong PIN"), pkcs11_signer(token, b"0000"):
        pass
    with pytest.raises(AuthError, match="no PIN"), pkcs11_signer(token, None):
        pass
    with (
        pytest.raises(InputError, match="no such token"),
        pkcs11_signer(replace(token, token_label="nope"), PIN),
    ):
        pass
    with (
        pytest.raises(InputError, match="no private key labelled `other`"),
        pkcs11_signer(replace(token, key_label="other"), PIN),
    ):
        pass
    with (
        pytest.raises(InputError, match="cannot load"),
        pkcs11_signer(replace(token, library="/nonexistent.so"), PIN),
    ):
        pass


def test_cli_pin_from_stdin_or_file_never_a_flag(token: TokenSpec, pki, runner, tmp_path: Path) -> None:
    from tests.cli.helpers import run
    from tests.conftest import EXAMPLES

    invoice = tmp_path / "inv.pdf"
    assert run(runner, "generate", str(EXAMPLES / "invoice-services.yaml"), "-o", str(invoice)).exit_code == 0
    base = [
        "sign",
        str(invoice),
        "--pkcs11-lib",
        token.library,
        "--token-label",
        "fpcli",
        "--key-label",
        "signer",
    ]
    chain = ["--chain", str(pki.write_cert("interm"))]
    out = tmp_path / "stdin.pdf"
    result = run(runner, *base, *chain, "-o", str(out), "--pin-stdin", input="1234\n")
    assert result.exit_code == 0, result.stderr
    assert "1234" not in result.stderr and result.stdout == ""
    verified = run(
        runner, "sign", "verify", str(out), "--trust", str(pki.write_cert("root")), "--allow-private-fetch"
    )
    assert verified.exit_code == 0, verified.stdout
    pin_file = tmp_path / "pin"
    pin_file.write_text("1234\n")
    assert run(runner, *base, "-o", str(tmp_path / "file.pdf"), "--pin-file", str(pin_file)).exit_code == 0
    wrong = run(runner, *base, "-o", str(tmp_path / "wrong.pdf"), "--pin-stdin", input="9999\n")
    assert wrong.exit_code == 5 and "wrong PIN" in wrong.stderr and "9999" not in wrong.stderr
    assert not (tmp_path / "wrong.pdf").exists()
    no_pin = run(runner, *base, "-o", str(tmp_path / "nopin.pdf"))
    assert no_pin.exit_code == 5 and "--pin-stdin" in no_pin.stderr
    half = run(runner, "sign", str(invoice), "-o", str(tmp_path / "h.pdf"), "--pkcs11-lib", token.library)
    assert half.exit_code == 2 and "--token-label" in half.stderr
    assert run(runner, *base, "-o", str(tmp_path / "x.pdf"), "--pin", "1234").exit_code == 2  # no such flag
