"""Command line: `oudergesprek` opens the app; subcommands serve trainers, scripts and tests.

Heavy modules (textual, the engine, torch) are imported inside the commands so
that `oudergesprek --help` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from simulator.problems import ContentError


def _fail(problems: list[object]) -> None:
    for p in problems:
        click.echo(str(p), err=True)
    sys.exit(1)


@click.group(invoke_without_command=True)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Map voor transcripten en instellingen (of zet OUDERGESPREK_HOME).",
)
@click.version_option(package_name="oudergesprek")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    """oudergesprek: oefen moeilijke gesprekken met ouders."""
    if data_dir is not None:
        from simulator.paths import set_data_dir

        set_data_dir(data_dir)
    if ctx.invoked_subcommand is None:
        from simulator.app.run import run_app

        run_app()


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON voor scripts.")
def list_cmd(as_json: bool) -> None:
    """Toon de scenario's en persona's."""
    from simulator.content import load_library

    lib = load_library()
    if as_json:
        out = {
            "personas": [{"id": p.id, "role": p.role, "name": p.name} for p in lib.personas.values()],
            "scenarios": [{"id": s.id, "type": s.type, "title": s.title} for s in lib.scenarios.values()],
        }
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    click.echo("Scenario's:")
    for s in lib.scenarios.values():
        click.echo(f"  {s.id:<28} {s.type:<18} groep {s.groep}, {s.minutes} min  {s.title}")
    click.echo("\nPersona's:")
    for p in lib.personas.values():
        click.echo(f"  {p.id:<28} {p.role:<18} {p.name} ({p.relation})")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Controleer de meegeleverde inhoud, of de opgegeven bestanden en mappen."""
    from simulator.content import shipped_files, validate_paths
    from simulator.problems import Problem

    missing = [p for p in paths if not p.exists()]
    if missing:
        _fail([Problem(str(p), "bestand of map bestaat niet") for p in missing])
    targets = list(paths) or shipped_files()
    problems = validate_paths(targets)
    if problems:
        _fail(list(problems))
    click.echo(f"In orde: {len(targets)} bestand(en) gecontroleerd.")


def main() -> None:
    """Entry point: turn every content problem into readable lines and exit 1, never a traceback."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Afgebroken.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ContentError as exc:
        _fail(list(exc.problems))
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # last resort: a message, not a traceback
        if os.environ.get("OUDERGESPREK_DEBUG"):
            raise
        click.echo(f"Fout: {type(exc).__name__}: {exc} (zet OUDERGESPREK_DEBUG=1 voor details)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
