"""The secret store is chosen, never guessed (issue 12): checked before anything is written, named truthfully,
a 0600 file only when asked; secret inputs that stay out of `ps` (files, descriptors, stdin)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fpcli.profiles import secrets
from fpcli.profiles.config import config_path
from tests.cli.helpers import run
from tests.conftest import FailingKeyring, MemoryKeyring
from tests.remote.public_servers import CLIENT_SECRET, PASSWORD

ADD = ["profile", "add", "ci", "--pa", "main", "--flow-url", "http://127.0.0.1:9", "--client-id", "c"]


def test_failing_keyring_writes_nothing_and_a_rerun_with_the_file_store_works(
    runner: CliRunner, failing_keyring: FailingKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = run(runner, *ADD, "--secret-stdin", input="s3cret\n")
    assert refused.exit_code == 5 and "no D-Bus session bus" in refused.stderr
    assert "--secret-store file" in refused.stderr and "s3cret" not in refused.stderr
    assert not config_path().exists()  # nothing half-written
    chorus = run(runner, "chorus", "configure", "--client-id", "x", "--secrets-stdin", input="a\nb\n")
    assert chorus.exit_code == 2  # no profile yet: a usage error before any store or file
    again = run(runner, "--secret-store", "file", *ADD, "--secret-stdin", input="s3cret\n")
    assert again.exit_code == 0, again.stderr
    path = secrets.secrets_file()
    assert f"kept in the plain file {path} (0600, not encrypted" in again.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {"ci/pa/main/client_secret": "s3cret"}
    assert "s3cret" not in config_path().read_text()
    forgot = run(runner, "auth", "token")  # the keyring again: fpcli does not pick the file by itself
    assert forgot.exit_code == 5 and f"secrets were kept in `{path}` before" in forgot.stderr
    monkeypatch.setenv("FPCLI_SECRET_STORE", "file")  # the same choice from the environment
    configured = run(runner, "chorus", "configure", "--client-id", "x", "--secrets-stdin", input="a\nb\n")
    assert configured.exit_code == 0 and str(path) in configured.stderr
    show = json.loads(run(runner, "profile", "show", "--json").stdout)
    assert show["pa"]["main"]["secrets"]["client_secret"] == "set" and str(path) in show["secret_store"]
    out = run(runner, "auth", "logout")
    assert out.exit_code == 0 and "3 secrets and tokens removed" in out.stderr
    assert json.loads(path.read_text()) == {}
    assert failing_keyring.calls == 2  # only the refused attempt and the one without the choice


def test_chorus_and_sign_configure_check_the_store_before_writing(
    runner: CliRunner, failing_keyring: FailingKeyring, tmp_path: Path
) -> None:
    assert run(runner, "profile", "add", "acme").exit_code == 0
    before = config_path().read_text()
    chorus = run(
        runner,
        "chorus",
        "configure",
        "--client-id",
        "x",
        "--secrets-stdin",
        input=f"{CLIENT_SECRET}\n{PASSWORD}\n",
    )
    assert chorus.exit_code == 5 and config_path().read_text() == before
    p12 = tmp_path / "k.p12"
    p12.write_bytes(b"not checked here")
    signing = run(runner, "sign", "configure", "--p12", str(p12), "--passphrase-stdin", input="pw\n")
    assert signing.exit_code == 5 and config_path().read_text() == before
    missing = run(runner, "sign", "configure", "--p12", str(tmp_path / "missing.p12"))
    assert missing.exit_code == 3 and "missing.p12: no such file (given with `--p12`)" in missing.stderr
    assert config_path().read_text() == before


def test_unknown_store_is_a_usage_error(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FPCLI_SECRET_STORE", "vault")
    result = run(runner, *ADD, "--secret-stdin", input="s\n")
    assert result.exit_code == 2 and "unknown secret store `vault`" in result.stderr
    assert not config_path().exists()


def test_a_plain_file_readable_by_others_is_refused(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FPCLI_SECRET_STORE", "file")
    assert run(runner, *ADD, "--secret-stdin", input="s\n").exit_code == 0
    secrets.secrets_file().chmod(0o644)
    result = run(runner, "auth", "status")
    assert result.exit_code == 0 and "readable by others (mode 644)" in result.stdout


def test_keyring_backends_are_named_for_what_they_are(isolation: MemoryKeyring) -> None:
    class PlaintextKeyring:  # what keyrings.alt puts in a file when it is installed
        file_path = "/home/u/.local/share/python_keyring/keyring_pass.cfg"
        name = "keyrings.alt.file.PlaintextKeyring"

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    label = secrets.keyring_label(PlaintextKeyring())
    assert "OS keyring" not in label.replace("not an OS keyring", "")
    assert label.startswith("the file /home/u/.local/share/python_keyring/keyring_pass.cfg")

    class Keyring:
        name = "SecretService Keyring"

    Keyring.__module__ = "keyring.backends.SecretService"
    assert secrets.keyring_label(Keyring()) == "the OS keyring (SecretService Keyring)"
    assert secrets.SecretStore().check() == "the keyring backend tests.conftest.MemoryKeyring"


def test_passphrase_from_a_file_or_a_descriptor(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pass_file = tmp_path / "pass.txt"
    pass_file.write_text("Pa55 phrase\n")
    p12 = tmp_path / "t.p12"
    made = run(runner, "sign", "make-test-cert", "-o", str(p12), "--passphrase-file", str(pass_file))
    assert made.exit_code == 0, made.stderr
    from fpcli.signing.keys import load_pkcs12

    assert load_pkcs12(p12.read_bytes(), str(p12), b"Pa55 phrase", []) is not None
    read_end, write_end = os.pipe()
    os.write(write_end, b"Pa55 phrase\n")
    os.close(write_end)
    out = tmp_path / "t2.p12"
    try:
        by_fd = run(runner, "sign", "make-test-cert", "-o", str(out), "--passphrase-fd", str(read_end))
    finally:
        os.close(read_end)
    assert by_fd.exit_code == 0, by_fd.stderr
    assert load_pkcs12(out.read_bytes(), str(out), b"Pa55 phrase", []) is not None
    monkeypatch.setenv("FPCLI_SIGN_PASSPHRASE_FILE", str(tmp_path / "nope.txt"))
    missing = run(runner, "sign", "make-test-cert", "-o", str(tmp_path / "t3.p12"))
    assert (
        missing.exit_code == 3
        and "nope.txt: cannot read (given with FPCLI_SIGN_PASSPHRASE_FILE)" in missing.stderr
    )
    assert not (tmp_path / "t3.p12").exists()


def test_edit_checks_everything_before_deleting_secrets(runner: CliRunner, isolation: MemoryKeyring) -> None:
    assert run(runner, *ADD, "--secret-stdin", input="s3cret\n").exit_code == 0
    bad = run(runner, "profile", "edit", "ci", "--remove-pa", "main", "--default-pa", "nope")
    assert bad.exit_code == 2 and ("fpcli", "ci/pa/main/client_secret") in isolation.store  # nothing deleted
    import keyring

    keyring.set_keyring(FailingKeyring())  # a CI machine can still remove a PA, and is told what stayed
    done = run(runner, "profile", "edit", "ci", "--remove-pa", "main")
    assert done.exit_code == 0 and "the removed PA's secrets were not deleted" in done.stderr
    assert "main" not in json.loads(run(runner, "profile", "show", "ci", "--json").stdout).get("pa", {})


def test_a_backend_error_never_shows_the_secret(runner: CliRunner) -> None:
    import keyring
    from keyring.errors import PasswordSetError

    class Leaky(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise PasswordSetError(f"cannot store {password!r} for {username}")

    keyring.set_keyring(Leaky())
    result = run(runner, *ADD, "--secret-stdin", input="s3cret-value\n")
    assert result.exit_code == 5 and "cannot store '***' for ci/pa/main/client_secret" in result.stderr
    assert "s3cret-value" not in result.stdout + result.stderr and not config_path().exists()
