"""`oudergesprek models`: which language models this machine can use, the model cache, and downloads.

Only click is imported at the top; the catalog, the cache and huggingface_hub are
imported when a command runs. The Dutch texts live in `simulator/voices/voices.yaml`.
`cli.py` registers the group with `cli.add_command(models)`.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

KIND_LABELS = {"hf": "map", "gguf": "gguf", "package": "pakket", "server": "server"}


def _size(n: int | None) -> str:
    if not n:
        return "0 MB" if n == 0 else ""
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


@click.group("models", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON voor scripts.")
@click.option("--check", is_flag=True, help="Vraag de ingestelde server welke modellen hij aanbiedt.")
@click.option("--clear-cache", is_flag=True, help="Wis de omgezette modellen in de modelcache van deze computer.")
@click.pass_context
def models(ctx: click.Context, as_json: bool, check: bool, clear_cache: bool) -> None:
    """Toon de taalmodellen die de lokale stem kan gebruiken, de modelcache en de ingestelde server."""
    if ctx.invoked_subcommand is not None:
        return
    from simulator.voices.local import cache
    from simulator.voices.registry import message

    if clear_cache:
        freed = cache.clear()
        click.echo(message("cache_cleared", size=_size(freed), path=cache.root()))
        return
    _list(as_json, check)


def _list(as_json: bool, check: bool) -> None:
    from simulator.labels import embedder_line
    from simulator.settings.config import load_config
    from simulator.voices.catalog import list_models
    from simulator.voices.local import cache
    from simulator.voices.registry import message, missing_message

    config = load_config()
    entries = list_models(config)
    cache_size = cache.size_bytes()
    lm_problem = missing_message("local")
    offered: list[str] | None = None
    problem: str | None = None
    if check and config.server_url:
        from simulator.voices.base import VoiceError
        from simulator.voices.server import ServerVoice

        try:
            offered = ServerVoice(config.server_url, api_key_env=config.api_key_env, connect_timeout=3).list_models()
        except VoiceError as exc:
            problem = str(exc)
    if as_json:
        out: dict[str, object] = {
            "models": [e.to_dict() for e in entries],
            "cache": {"path": str(cache.root()), "size_bytes": cache_size},
            "lm_missing": lm_problem,
            "embedder": embedder_line(),
        }
        if check:
            out["server_models"] = offered
            out["server_problem"] = problem
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    local = [e for e in entries if e.kind != "server"]
    if local:
        click.echo(message("local_header"))
        for e in local:
            state = "" if e.converted is None else "  " + message("converted" if e.converted else "not_converted")
            note = f"  ({e.note})" if e.note and e.note != e.spec else ""
            click.echo(f"  {e.spec:<30} {KIND_LABELS[e.kind]:<7} {_size(e.size_bytes):>8}{state}{note}")
            click.echo(f"      {e.location}")
    else:
        click.echo(message("no_local_models"))
    click.echo(message("cache_line", path=cache.root(), size=_size(cache_size)))
    click.echo(message("lm_line", state=lm_problem or message("lm_ready")))
    click.echo(embedder_line())
    servers = [e for e in entries if e.kind == "server"]
    click.echo("")
    if servers:
        s = servers[0]
        model = message("server_model", model=s.spec) if s.spec else ""
        click.echo(message("server_line", url=s.location, model=model, key_env=s.note))
        if offered is not None:
            click.echo(message("server_offers", models=", ".join(offered) or message("none")))
        if problem:
            click.echo(f"  {problem}")
    else:
        click.echo(message("no_server"))


@models.command("download")
@click.argument("repo")
@click.option("--revision", default=None, help="Tak, tag of commit (standaard: main).")
@click.option(
    "--to", "into", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Map om in te zetten (standaard: de modellenmap in de gebruikersmap).",
)
def download_cmd(repo: str, revision: str | None, into: Path | None) -> None:
    """Haal een taalmodel (alleen safetensors) van Hugging Face op, bijvoorbeeld google/gemma-3-1b-it."""
    from simulator.voices.download import download
    from simulator.voices.registry import message

    target = download(repo, into, revision)
    click.echo(message("download_done", path=target, name=target.name))
