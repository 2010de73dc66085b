"""`oudergesprek models download REPO`: fetch a Hugging Face model into the models folder.

For machines with internet: a trainer types one command instead of placing
files by hand. Only safetensors weights, the config and the tokenizer are
fetched, never Python files, and a repository whose config asks for its own code
(`auto_map`) is refused: the local voice never runs `trust_remote_code`.
huggingface_hub shows a progress bar and resumes an interrupted download where
it stopped. `HF_ENDPOINT` points it elsewhere (the tests use a fake hub on
127.0.0.1).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from simulator.voices.base import VoiceError

WANTED = ("*.safetensors", "*.safetensors.index.json", "config.json", "generation_config.json", "tokenizer*",
          "special_tokens_map.json", "chat_template.*", "*.jinja", "vocab.json", "merges.txt", "vocab.txt")
"""Weights as safetensors, config and tokenizer files; never *.py, *.bin, *.pt or *.gguf."""

REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def models_folder() -> Path:
    """The user's models folder, searched by `--model NAME` (see `local.source.model_roots`)."""
    from simulator.settings.paths import data_dir

    return data_dir() / "models"


def target_for(repo: str, into: Path | None = None) -> Path:
    """`google/gemma-3-1b-it` → <models>/gemma-3-1b-it, so `--model gemma-3-1b-it` finds it."""
    return (into or models_folder()) / repo.split("/")[-1]


def download(repo: str, into: Path | None = None, revision: str | None = None) -> Path:
    """Fetch REPO's safetensors model into the models folder and return its directory.

    Raises VoiceError (Dutch) for a bad name, an unreachable hub, a repository
    without safetensors weights, or one that needs its own code.
    """
    from simulator.voices.registry import message as text

    if not REPO_ID.match(repo):
        raise VoiceError(text("download_bad_name", repo=repo))
    try:
        from huggingface_hub import HfApi, hf_hub_download, snapshot_download
        from huggingface_hub.errors import HfHubHTTPError
    except ImportError:
        raise VoiceError(text("download_no_hub")) from None
    endpoint = os.environ.get("HF_ENDPOINT") or None
    try:
        files = HfApi(endpoint=endpoint).list_repo_files(repo, revision=revision)
    except HfHubHTTPError as exc:
        raise VoiceError(text("download_failed", repo=repo, why=_why(exc))) from None
    except Exception as exc:  # no network, DNS, TLS: one line, not a traceback
        raise VoiceError(text("download_failed", repo=repo, why=_why(exc))) from None
    if not any(f.endswith(".safetensors") for f in files):
        raise VoiceError(text("download_no_safetensors", repo=repo))
    if "config.json" not in files:
        raise VoiceError(text("download_no_config", repo=repo))
    target = target_for(repo, into)
    try:
        config_path = Path(hf_hub_download(repo, "config.json", revision=revision, endpoint=endpoint))
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = {}
    except Exception as exc:
        raise VoiceError(text("download_failed", repo=repo, why=_why(exc))) from None
    if isinstance(config, dict) and config.get("auto_map"):  # checked before any weights are fetched
        raise VoiceError(text("download_remote_code", repo=repo))
    target.mkdir(parents=True, exist_ok=True)
    try:
        snapshot_download(
            repo, revision=revision, local_dir=target, allow_patterns=list(WANTED), endpoint=endpoint, max_workers=2
        )
    except Exception as exc:  # interrupted: what arrived stays, and the next run resumes it
        raise VoiceError(text("download_failed", repo=repo, why=_why(exc))) from None
    return target


def _why(exc: BaseException) -> str:
    first = (str(exc) or type(exc).__name__).strip().splitlines()[0]
    return first[:200]
