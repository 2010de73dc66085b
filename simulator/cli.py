"""Command line: `oudergesprek` opens the app; subcommands serve trainers, scripts and tests.

Heavy modules (textual, the engine, torch) are imported inside the commands so
that `oudergesprek --help` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TextIO

import click

from simulator.content.problems import ContentError


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
@click.option("--voice", "voice_kind", default=None, help="Stem van de ouder in de app: scripted, local of server.")
@click.option("--model", default=None, help="Model voor --voice local (map, .gguf of pakketnaam) of server.")
@click.option("--url", default=None, help="Server-URL voor --voice server.")
@click.option("--threads", default=None, type=int, help="Aantal CPU-threads voor een lokaal model.")
@click.version_option(package_name="oudergesprek")
@click.pass_context
def cli(
    ctx: click.Context,
    data_dir: Path | None,
    voice_kind: str | None,
    model: str | None,
    url: str | None,
    threads: int | None,
) -> None:
    """oudergesprek: oefen moeilijke gesprekken met ouders."""
    if data_dir is not None:
        from simulator.settings.paths import set_data_dir

        set_data_dir(data_dir)
    # CLI options win over the environment and the config file: pass them on as environment.
    for name, value in (
        ("OUDERGESPREK_VOICE", voice_kind),
        ("OUDERGESPREK_MODEL", model),
        ("OUDERGESPREK_SERVER_URL", url),
        ("OUDERGESPREK_THREADS", None if threads is None else str(threads)),
    ):
        if value is not None:
            os.environ[name] = value
    if ctx.invoked_subcommand is None:
        from simulator.app.run import run_app

        run_app()


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON voor scripts.")
def list_cmd(as_json: bool) -> None:
    """Toon de scenario's en persona's."""
    from simulator.content.loader import load_library

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
    from simulator.content.loader import shipped_files
    from simulator.content.problems import Problem
    from simulator.validate import validate_paths

    missing = [p for p in paths if not p.exists()]
    if missing:
        _fail([Problem(str(p), "bestand of map bestaat niet") for p in missing])
    targets = list(paths) or shipped_files()
    problems = validate_paths(targets)
    if problems:
        _fail(list(problems))
    click.echo(f"In orde: {len(targets)} bestand(en) gecontroleerd.")


@cli.command()
@click.option("--scenario", "scenario_id", required=True, help="Scenario-id (zie `oudergesprek list`).")
@click.option("--persona", "persona_id", required=True, help="Persona-id (zie `oudergesprek list`).")
@click.option(
    "--script",
    "script",
    required=True,
    type=click.File("r", encoding="utf-8"),
    help="Zinnen van de leerkracht, één per regel ('-' = stdin).",
)
@click.option("--seed", default=0, show_default=True, help="Zelfde seed, zelfde ouder.")
@click.option(
    "--difficulty", default="normaal", show_default=True, type=click.Choice(["makkelijk", "normaal", "moeilijk"])
)
@click.option("--voice", "voice_kind", default=None, help="scripted (standaard), local of server.")
@click.option("--model", default=None, help="Model voor --voice local/server.")
@click.option("--url", default=None, help="Server-URL voor --voice server.")
@click.option("--threads", default=None, type=int, help="Aantal CPU-threads voor een lokaal model.")
@click.option("--dagdeel", default="vanmiddag", show_default=True, help="Vult {dagdeel} in de zinnen van de ouder.")
@click.option("--json", "as_json", is_flag=True, help="Print het transcript als JSON.")
def play(
    scenario_id: str,
    persona_id: str,
    script: TextIO,
    seed: int,
    difficulty: str,
    voice_kind: str | None,
    model: str | None,
    url: str | None,
    threads: int | None,
    dagdeel: str,
    as_json: bool,
) -> None:
    """Speel een gesprek zonder scherm, met de zinnen van de leerkracht uit een bestand."""
    from simulator.content.loader import load_library
    from simulator.engine.session import Session, play_script
    from simulator.settings.paths import transcripts_dir

    lib = load_library()
    scenario, persona = lib.scenario(scenario_id), lib.persona(persona_id)
    try:
        lines = script.read().splitlines()
    except UnicodeDecodeError:
        raise click.ClickException(f"{script.name}: geen geldige UTF-8-tekst") from None
    voice = _make_voice(voice_kind, model, url, threads)
    session = Session(
        scenario, persona, voice=voice, seed=seed, difficulty=difficulty, save_dir=transcripts_dir(), dagdeel=dagdeel
    )

    def show(speaker: str, text: str) -> None:
        if not as_json:
            click.echo(f"{'Leerkracht' if speaker == 'teacher' else persona.name}: {text}")

    transcript = play_script(session, lines, on_turn=show)
    if as_json:
        click.echo(transcript.to_json())
    else:
        state = transcript.final_state
        click.echo(f"\nAfloop: {transcript.outcome}")
        if state:
            click.echo(f"Eindstand: spanning {state.tension}, vertrouwen {state.trust}, gehoord {state.heard}")
        click.echo(f"Opgeslagen: {session.path}")


def _make_voice(kind: str | None, model: str | None, url: str | None, threads: int | None) -> object:
    """Config file < environment < CLI; the scripted voice needs nothing."""
    from simulator.settings.config import load_config

    cfg = load_config(voice=kind, model=model, server_url=url, threads=threads)
    if cfg.voice in (None, "", "scripted"):
        from simulator.voices.scripted import ScriptedVoice

        return ScriptedVoice()
    from simulator.voices.factory import make_voice

    def progress(message: str, fraction: float) -> None:
        click.echo(f"\r{message} {fraction:4.0%}", err=True, nl=fraction >= 1.0)

    return make_voice(cfg.voice, model=cfg.model, url=cfg.server_url, threads=cfg.threads, progress=progress)


def _load_for_report(file: Path) -> tuple[object, object]:
    from simulator.content.loader import load_library
    from simulator.records.transcript import load_transcript

    transcript = load_transcript(file)
    try:
        lib = load_library()
    except ContentError:
        lib = None
    return transcript, lib


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def score(file: Path, fmt: str) -> None:
    """Scoor luisteren en grenzen stellen in een transcript (volledig of minimaal)."""
    from simulator.records.feedback_bridge import report_for

    transcript, lib = _load_for_report(file)
    report = report_for(transcript, lib)  # type: ignore[arg-type]
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        from feedback.report import render_markdown

        click.echo(render_markdown(report))
    else:
        from feedback.report import render_text

        click.echo(render_text(report))


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["markdown", "html"]), default="markdown", show_default=True)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Uitvoerbestand (standaard: stdout)."
)
def export(file: Path, fmt: str, output: Path | None) -> None:
    """Exporteer een transcript met verslag naar Markdown of losse HTML."""
    from simulator.records.export import to_html, to_markdown
    from simulator.storage import save_atomic

    transcript, lib = _load_for_report(file)
    text = to_html(transcript, lib) if fmt == "html" else to_markdown(transcript, lib)  # type: ignore[arg-type]
    if output is None:
        click.echo(text, nl=False)
    else:
        save_atomic(output, text)
        click.echo(f"Geschreven: {output}", err=True)


@cli.command("gold-export")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Uitvoerbestand (standaard: stdout)."
)
def gold_export(paths: tuple[Path, ...], output: Path | None) -> None:
    """Zet afwijkingen van trainers om in gold-set-items (JSON Lines), om de regels te toetsen."""
    from simulator.content.loader import expand
    from simulator.records.overrides import gold_jsonl
    from simulator.records.transcript import load_transcript
    from simulator.settings.paths import transcripts_dir
    from simulator.storage import save_atomic

    files = [p for p in expand(list(paths) or [transcripts_dir()]) if p.suffix == ".json"]
    text = gold_jsonl(load_transcript(p) for p in files)
    if output is None:
        click.echo(text, nl=False)
    else:
        save_atomic(output, text)


@cli.command()
def acts() -> None:
    """Herken gespreksacties: JSON Lines op stdin, één JSON-regel per invoerregel op stdout."""
    from feedback.acts_jsonl import run

    sys.exit(run(sys.stdin, sys.stdout))


def _register_commands() -> None:
    """Commands that live in other modules; those import only click at top level."""
    from simulator.cli_lm import models

    cli.add_command(models)


_register_commands()


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
        from simulator.voices.factory import VoiceError

        if isinstance(exc, VoiceError):  # its message is written for the trainee
            click.echo(f"Fout: {exc}", err=True)
            sys.exit(1)
        click.echo(f"Fout: {type(exc).__name__}: {exc} (zet OUDERGESPREK_DEBUG=1 voor details)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
