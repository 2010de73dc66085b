"""GGUF to a safetensors cache: transformers dequantises a GGUF slowly, so it is converted once.

Later loads of the same file (any data dir, any user of the machine) take
seconds. The conversion runs under the cache's lock and writes into a temporary
folder that is renamed at the end, so an interrupted or concurrent first load
never leaves a half cache that would load.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from simulator.voices.base import Progress, VoiceError
from simulator.voices.local import cache
from simulator.voices.local.progress import report as _report
from simulator.voices.local.source import ModelSource
from simulator.voices.local.tokenizer import drop_unused_tokens, fast_tokenizer_agrees
from simulator.voices.local.vocab import dutch_vocabulary

DONE_MARK = cache.DONE_MARK


def converted_dir(source: ModelSource) -> Path:
    return cache.models_dir() / source.key


def is_converted(folder: Path) -> bool:
    mark = cache.read_json(folder / DONE_MARK)
    return mark.get("converter") == cache.CONVERTER_VERSION


def convert_gguf(gguf: Path, out: Path, progress: Progress | None = None) -> Path:
    """Dequantise a GGUF once into an HF directory (bfloat16 safetensors, tokenizer, Dutch vocabulary).

    Writes into a temporary folder and renames it at the end, so an interrupted
    conversion never leaves a half cache that would load.
    """
    import numpy as np
    import torch
    from gguf import GGUFReader, dequantize
    from safetensors.torch import save_file
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, GenerationConfig
    from transformers.modeling_gguf_pytorch_utils import (
        TENSOR_PROCESSORS,
        TensorProcessor,
        get_gguf_hf_weights_map,
        load_gguf_checkpoint,
    )

    from simulator.voices.prompt import message

    tmp = out.with_name(f"{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        _report(progress, "read", 0.12)
        meta = load_gguf_checkpoint(str(gguf), return_tensors=False)
        config_dict = dict(meta["config"])
        model_type = config_dict.pop("model_type")
        config_dict.pop("_model_name_or_path", None)
        config = AutoConfig.for_model(model_type, **config_dict)
        with torch.device("meta"):
            skeleton = AutoModelForCausalLM.from_config(config)
        expected = set(skeleton.state_dict())
        reader = GGUFReader(str(gguf))
        architecture = str(reader.fields["general.architecture"].contents())
        processor = TENSOR_PROCESSORS.get(architecture, TensorProcessor)(
            config={**config_dict, "model_type": model_type}
        )
        names = get_gguf_hf_weights_map(skeleton, processor)
        tensors: dict[str, Any] = {}
        parsed = {"tensors": tensors, "config": config_dict}
        total = len(reader.tensors)
        for i, tensor in enumerate(reader.tensors):
            weights = dequantize(tensor.data, tensor.tensor_type)
            result = processor.process(
                weights=weights, name=tensor.name, tensor_key_mapping=names, parsed_parameters=parsed
            )
            if result.name in names:
                tensors[names[result.name]] = torch.from_numpy(np.copy(result.weights))
            _report(progress, "convert", 0.2 + 0.5 * (i + 1) / total)
        tensors = {k: v.to(torch.bfloat16).contiguous() for k, v in tensors.items()}
        tied = {"lm_head.weight"} if getattr(config, "tie_word_embeddings", False) else set()
        missing = expected - set(tensors) - tied
        if missing:
            raise VoiceError(
                message("model_load_failed", spec=gguf.name, why=f"ontbrekende gewichten: {sorted(missing)[:3]}")
            )
        _report(progress, "save", 0.72)
        config.dtype = "bfloat16"
        config.save_pretrained(tmp)
        GenerationConfig.from_model_config(config).save_pretrained(tmp)
        save_file({k: v for k, v in tensors.items() if k in expected}, str(tmp / "model.safetensors"), {"format": "pt"})
        del tensors, skeleton
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        tokenizer.save_pretrained(tmp)
        drop_unused_tokens(tmp / "tokenizer.json")
        _report(progress, "vocab", 0.9)
        (tmp / "vocab_nl.json").write_text(json.dumps(dutch_vocabulary(tokenizer)), encoding="utf-8")
        mark = {
            "converter": cache.CONVERTER_VERSION,
            "source": str(gguf),
            "converted": time.strftime("%Y-%m-%d %H:%M"),
            "fast_tokenizer": fast_tokenizer_agrees(tmp),
        }
        (tmp / DONE_MARK).write_text(json.dumps(mark), encoding="utf-8")
        shutil.rmtree(out, ignore_errors=True)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out



def prepare(source: ModelSource, progress: Progress | None = None) -> Path:
    """The HF directory to load: the model itself, or its converted cache (converting the first time)."""
    if source.kind == "hf" and source.path is not None:
        return source.path
    out = converted_dir(source)
    if is_converted(out):
        return out
    with cache.locked(out):
        if is_converted(out):  # another process converted it while we waited for the lock
            return out
        gguf = source.path
        if gguf is None:
            assert source.assemble is not None
            _report(progress, "assemble", 0.02)
            scratch = cache.root() / "gguf" / source.key
            shutil.rmtree(scratch, ignore_errors=True)  # a join left by a killed process
            gguf = source.assemble(scratch)
        try:
            return convert_gguf(gguf, out, progress)
        finally:
            if source.assemble is not None and gguf.is_relative_to(cache.root()):
                shutil.rmtree(gguf.parent, ignore_errors=True)  # the parts stay installed; the join is used once

