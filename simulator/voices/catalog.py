"""What models can the local voice use here, and which server is configured?

Lists model directories (with a config.json) and .gguf files under `models/`
and the user data dir, installed packages that ship a GGUF file, and the
configured inference server. Nothing here imports torch or loads a model; it is
what `oudergesprek models` shows a trainer or an institute's admin.
"""

from __future__ import annotations

import importlib.metadata as md
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from simulator.settings.config import Config, load_config

GGUF_PART = ".gguf.part"


@dataclass(frozen=True)
class ModelEntry:
    """One usable model: what to pass to --model, what it is, where it is, and whether it is converted."""

    spec: str
    kind: str  # "hf", "gguf", "package" or "server"
    location: str
    size_bytes: int | None = None
    converted: bool | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _dirs_and_files(root: Path) -> list[ModelEntry]:
    from simulator.voices.local import converted_dir, gguf_source, is_converted, is_hf_dir

    out: list[ModelEntry] = []
    for item in sorted(root.iterdir()):
        if is_hf_dir(item):
            out.append(ModelEntry(item.name, "hf", str(item), _size(item)))
        elif item.is_file() and item.suffix.lower() == ".gguf":
            source = gguf_source(item)
            out.append(ModelEntry(item.name, "gguf", str(item), _size(item), is_converted(converted_dir(source))))
    return out


def _packages() -> list[ModelEntry]:
    """Installed distributions with a .gguf file, or whose requirements ship one in parts."""
    from simulator.voices.local import canonical, converted_dir, is_converted, package_source

    with_parts: set[str] = set()
    candidates: dict[str, md.Distribution] = {}
    for dist in md.distributions():
        name = dist.metadata["Name"]
        if not name:
            continue
        files = [str(f) for f in dist.files or []]
        if any(f.endswith(".gguf") for f in files):
            candidates[canonical(name)] = dist
        if any(GGUF_PART in f for f in files):
            with_parts.add(canonical(name))
    for dist in md.distributions():
        name = dist.metadata["Name"]
        if not name or canonical(name) in with_parts:
            continue
        required = {canonical(r.split(";")[0].split("=")[0].split(">")[0].split("<")[0]) for r in dist.requires or []}
        if required & with_parts:
            candidates[canonical(name)] = dist
    out: list[ModelEntry] = []
    for canon, dist in sorted(candidates.items()):
        source = package_source(dist.metadata["Name"])
        if source is None:
            continue
        location = str(source.path) if source.path else f"{dist.metadata['Name']} {dist.version}"
        size = source.path.stat().st_size if source.path else None
        out.append(ModelEntry(canon, "package", location, size, is_converted(converted_dir(source)), source.label))
    return out


def list_models(config: Config | None = None, roots: list[Path] | None = None) -> list[ModelEntry]:
    """Everything the local and server voices could use, local models first."""
    from simulator.voices.local import model_roots

    config = config or load_config()
    out: list[ModelEntry] = []
    for root in roots if roots is not None else model_roots():
        if root.is_dir():
            out += _dirs_and_files(root)
    out += _packages()
    if config.server_url:
        name = config.model if config.voice == "server" and config.model else ""
        out.append(ModelEntry(name, "server", config.server_url, note=config.api_key_env))
    return out
