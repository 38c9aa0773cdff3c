"""`fpcli preflight`: what would happen if these invoices were sent (flow, directory, public-sector ids)."""

from typing import Annotated

import typer

from fpcli.cli.options import JsonOpt, PaOpt, RecursiveOpt
from fpcli.cli.runtime import terminal_of

_STYLE = {"error": "red", "warning": "yellow", "info": "dim"}


def preflight(
    ctx: typer.Context,
    files: Annotated[
        list[str],
        typer.Argument(help="Invoices: CII, UBL, Factur-X PDF, or JSON/YAML input (or directories)."),
    ],
    offline: Annotated[
        bool, typer.Option("--offline", help="Answer from the directory cache only (stale entries included).")
    ] = False,
    max_age: Annotated[
        float, typer.Option("--cache-max-age", min=0, help="Seconds a cached directory answer stays fresh.")
    ] = 24 * 3600.0,
    pa: PaOpt = None,
    recursive: RecursiveOpt = False,
    json_: JsonOpt = False,
) -> None:
    from fpcli.fileio import expand_paths
    from fpcli.preflight import Directory, preflight_files

    term = terminal_of(ctx)
    paths = expand_paths(files, (".xml", ".pdf", ".json", ".yaml", ".yml"), recursive=recursive)
    if offline:
        batch = preflight_files(paths, Directory(None, max_age=max_age), offline=True)
    else:
        from fpcli.remote.pa import PASession

        with PASession.open(term.user_profile, pa) as session:
            batch = preflight_files(paths, Directory(session.directory.get, max_age=max_age), offline=False)
    if json_ or term.json:
        term.data_json(batch.to_dict())
    else:
        for r in batch.results:
            head = f"{'ready' if r.ready else 'NOT READY':9}  {r.source}"
            if r.number:
                head += f"  {r.number} ({r.issue_date})  {r.flow} -> {r.route}"
            term.out.print(head, style=None if r.ready else "bold")
            if r.public is not None:
                p = r.public
                term.out.print(
                    f"  public buyer: SIRET {p.siret or '-'}, service code {p.service_code or '-'}"
                    f"{f' ({p.service_code_from})' if p.service_code_from else ''}, "
                    f"engagement {p.engagement or '-'}"
                )
            for reason in r.reasons:
                term.out.print(
                    f"  {reason.severity}: {reason.code}: {reason.message}", style=_STYLE[reason.severity]
                )
    if batch.exit_code:
        term.info(f"{batch.to_dict()['not_ready']} of {len(batch.results)} invoice(s) not ready")
    raise typer.Exit(batch.exit_code)
