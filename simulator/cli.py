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
from simulator.safe_text import clean
from simulator.settings.config import ConfigError
from simulator.storage import SaveError
from simulator.voices import registry


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
@registry.click_options
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
    from simulator.settings.config import check_config

    problem = check_config()  # a broken config.toml is said at start, not first when saving
    if problem:
        click.echo(problem, err=True)
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
@registry.click_options
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
    _check_script(script.name, lines)
    voice = _make_voice(voice_kind, model, url, threads)
    session = Session(
        scenario, persona, voice=voice, seed=seed, difficulty=difficulty, save_dir=transcripts_dir(), dagdeel=dagdeel
    )

    def show(speaker: str, text: str) -> None:
        if not as_json:
            click.echo(clean(f"{'Leerkracht' if speaker == 'teacher' else persona.name}: {text}"))

    transcript = play_script(session, lines, on_turn=show)
    if as_json:
        click.echo(transcript.to_json())
    else:
        state = transcript.final_state
        click.echo(f"\nAfloop: {transcript.outcome}")
        if state:
            click.echo(f"Eindstand: spanning {state.tension}, vertrouwen {state.trust}, gehoord {state.heard}")
        click.echo(f"Opgeslagen: {session.path}")


def _check_script(name: str, lines: list[str]) -> None:
    """A script line longer than a turn may be, or more lines than a transcript may hold, is refused up front."""
    from simulator.content.problems import Problem
    from simulator.labels import message
    from simulator.limits import MAX_TURN_CHARS, MAX_TURNS

    if len(lines) > MAX_TURNS:
        raise ContentError([Problem(name, message("too_many_turns", count=len(lines), limit=MAX_TURNS))])
    too_long = [
        Problem(name, message("turn_too_long", chars=len(line), limit=MAX_TURN_CHARS), line=i)
        for i, line in enumerate(lines, 1)
        if len(line) > MAX_TURN_CHARS
    ]
    if too_long:
        raise ContentError(too_long)


def _make_voice(kind: str | None, model: str | None, url: str | None, threads: int | None) -> object:
    """Config file < environment < CLI; progress of a model load goes to stderr."""

    def progress(message: str, fraction: float) -> None:
        click.echo(f"\r{message} {fraction:4.0%}", err=True, nl=fraction >= 1.0)

    return registry.build_voice(kind, model=model, url=url, threads=threads, progress=progress)


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
        from feedback.report_text import render_markdown

        click.echo(clean(render_markdown(report)))
    else:
        from feedback.report_text import render_text

        click.echo(clean(render_text(report)))


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
        click.echo(clean(text), nl=False)
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
    from simulator.records.overrides import gold_from_files
    from simulator.settings.paths import transcripts_dir
    from simulator.storage import save_atomic

    text, problems = gold_from_files(list(paths) or [transcripts_dir()])
    if output is None:
        click.echo(text, nl=False)
    else:
        save_atomic(output, text)
    if problems:  # the readable files are exported; each bad one is named
        _fail(list(problems))


@cli.command()
def acts() -> None:
    """Herken gespreksacties: JSON Lines op stdin, één JSON-regel per invoerregel op stdout."""
    from feedback.acts_jsonl import main as run_filter  # undecodable bytes become U+FFFD; no line is lost
    from simulator.limits import MAX_TURN_CHARS

    sys.exit(run_filter(max_chars=MAX_TURN_CHARS))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "html"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Uitvoerbestand.")
@click.option("--anonymise", is_flag=True, help="Vervang namen door vaste pseudoniemen (om te delen).")
@click.option("--salt", envvar="OUDERGESPREK_COHORT_SALT", default=None, help="Eigen geheim voor de pseudoniemen.")
def cohort(paths: tuple[Path, ...], fmt: str, output: Path | None, anonymise: bool, salt: str | None) -> None:
    """Groepsoverzicht: transcripten uit mappen, zip-bestanden of losse bestanden, per student."""
    from simulator.content.loader import load_library
    from simulator.records.cohort import DEFAULT_SALT
    from simulator.records.cohort_load import load_cohort
    from simulator.records.cohort_render import render
    from simulator.records.cohort_words import words
    from simulator.storage import save_atomic

    try:
        library = load_library()
    except ContentError:  # titles are a nicety; the overview works with scenario ids
        library = None
    group = load_cohort(list(paths), library)
    if anonymise:
        group = group.anonymised_copy(salt or DEFAULT_SALT)
    text = render(group, fmt)
    if output is None:
        click.echo(text, nl=False)
        return
    save_atomic(output, text)
    counts = {"students": len(group.students()), "attempts": len(group.attempts), "scenarios": len(group.scenarios())}
    click.echo(words().text.summary.format(**counts), err=True)
    if group.duplicates:
        click.echo(words().text.duplicates.format(count=group.duplicates), err=True)
    for item in group.skipped:
        click.echo(f"{item.name}: {item.reason}", err=True)


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
    except (ConfigError, SaveError) as exc:  # their messages are one Dutch line naming the file
        _fail([exc])
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # last resort: a message, not a traceback
        if os.environ.get("OUDERGESPREK_DEBUG"):
            raise
        from simulator.voices.base import VoiceError

        if isinstance(exc, VoiceError):  # its message is written for the trainee
            click.echo(clean(f"Fout: {exc}"), err=True)
            sys.exit(1)
        click.echo(clean(f"Fout: {type(exc).__name__}: {exc} (zet OUDERGESPREK_DEBUG=1 voor details)"), err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
