"""`oudergesprek models`: which language models this machine can use, and the configured server.

Only click is imported at the top; the catalog is imported when the command runs.
The lead registers the command with `cli.add_command(models)`.
"""

from __future__ import annotations

import json

import click

KIND_LABELS = {"hf": "map", "gguf": "gguf", "package": "pakket", "server": "server"}


def _size(n: int | None) -> str:
    if not n:
        return ""
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


@click.command("models")
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON voor scripts.")
@click.option("--check", is_flag=True, help="Vraag de ingestelde server welke modellen hij aanbiedt.")
def models(as_json: bool, check: bool) -> None:
    """Toon de taalmodellen die de lokale stem kan gebruiken, en de ingestelde server."""
    from simulator.settings.config import load_config
    from simulator.voices.catalog import list_models

    config = load_config()
    entries = list_models(config)
    offered: list[str] | None = None
    problem: str | None = None
    if check and config.server_url:
        from simulator.voices.factory import VoiceError
        from simulator.voices.server import ServerVoice

        try:
            offered = ServerVoice(config.server_url, api_key_env=config.api_key_env, connect_timeout=3).list_models()
        except VoiceError as exc:
            problem = str(exc)
    if as_json:
        out: dict[str, object] = {"models": [e.to_dict() for e in entries]}
        if check:
            out["server_models"] = offered
            out["server_problem"] = problem
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    local = [e for e in entries if e.kind != "server"]
    if local:
        click.echo("Lokale modellen (gebruik: oudergesprek --voice local --model NAAM):")
        for e in local:
            state = "" if e.converted is None else ("  omgezet" if e.converted else "  nog om te zetten")
            note = f"  ({e.note})" if e.note and e.note != e.spec else ""
            click.echo(f"  {e.spec:<30} {KIND_LABELS[e.kind]:<7} {_size(e.size_bytes):>8}{state}{note}")
            click.echo(f"      {e.location}")
    else:
        click.echo("Geen lokale modellen gevonden. Zie models/README.md om er een toe te voegen.")
    servers = [e for e in entries if e.kind == "server"]
    click.echo("")
    if servers:
        s = servers[0]
        click.echo(
            f"Server: {s.location}" + (f"  model: {s.spec}" if s.spec else "") + f"  (API-sleutel uit ${s.note})"
        )
        if offered is not None:
            click.echo("  Aangeboden modellen: " + (", ".join(offered) or "geen"))
        if problem:
            click.echo(f"  {problem}")
    else:
        click.echo("Geen server ingesteld (zet server_url in config.toml of OUDERGESPREK_SERVER_URL).")
