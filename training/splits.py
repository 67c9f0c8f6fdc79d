"""Deterministic train/test splits for the incoherence model, shared by training and benchmark.

Splits are by document (call, article, speech, book, talk), never by sentence:
- earnings21-asr: by call (``file_id``): bucket = crc32(file_id) % 4; bucket 0 = test (held out),
  bucket 1 = language-model training (its human references only), buckets 2-3 = classifier training.
- mlqe-pe-to-english: the upstream split; ``test`` held out; ``dev`` and half of ``train`` (by source
  document) train the neural tagger, the other half of ``train`` the classifier (see ``mlqe_role``).
- wmt-mqm-zhen: TED zh->en is never trained on (the benchmark evaluates on all of it); the other
  file, WMT23 generalMT zh->en (news paragraphs, other documents and systems), is split by source
  document: half trains the neural tagger, half the classifier (``mqm_role``).
- clean prose (wikipedia-2015-more, un-general-debate, gutenberg-post1880): by record id;
  crc32(id) % 10 == 0 is held out from the language model and used for classifier negatives,
  synthetic damage and the threshold; the rest trains the language model.
- clean-english-prose (Wikipedia 2015, first 602 articles) is never trained on: false-positive test.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPORA = (REPO / ".." / "shared" / "corpora").resolve()


def bucket(key: str, n: int) -> int:
    return zlib.crc32(key.encode("utf-8")) % n


def earnings_role(file_id: str) -> str:
    b = bucket(str(file_id), 4)
    return "test" if b == 0 else ("lm" if b == 1 else "clf")


def mlqe_role(rec: dict) -> str:
    """``test`` (held out), ``tagger`` (dev split and half of train, by source document: the neural
    tagger's data) or ``clf`` (the other half of train: the classifier's data)."""
    if rec["split"] == "test":
        return "test"
    if rec["split"] == "dev":
        return "tagger"
    doc = rec["doc_id"] if "doc_id" in rec else rec["index"]
    return "tagger" if bucket(f"{rec['lp']}:{doc}", 2) == 0 else "clf"


def mqm_role(rec: dict) -> str:
    """``test`` for TED zh->en (the benchmark's, never trained on); for WMT23 generalMT, ``tagger`` or
    ``clf`` by source document."""
    if rec["dataset"].startswith("ted"):
        return "test"
    return "tagger" if bucket(f"mqm:{rec['doc']}", 2) == 0 else "clf"


#: MQM error categories a reader can see without the source: fluency (except punctuation, which the
#: incoherence model does not read), style and untranslated text.
def mqm_visible(err: dict) -> bool:
    c = err["category"]
    return err.get("side") == "target" and err.get("start") is not None and (
        (c.startswith("Fluency") and c != "Fluency/Punctuation") or c.startswith("Style") or c.startswith("Non-translation"))


def mqm_segments(records) -> list[dict]:
    """Merge the per-rater records of WMT23 generalMT (three raters per system and segment) into one
    dict per translation: ``target``, ``doc``, ``system``, ``errors`` (every rater's target-side spans)
    and ``role``. Records of the raters' attention check (``hotw_test``) are left out."""
    merged: dict[tuple, dict] = {}
    for r in records:
        if "hotw_test" in r or r["dataset"].startswith("ted"):
            continue
        key = (r["system"], r["doc"], r["seg_id"])
        m = merged.setdefault(key, {"target": r["target_en"], "doc": r["doc"], "system": r["system"],
                                    "errors": [], "role": mqm_role(r), "raters": 0})
        if r["target_en"].rstrip() != m["target"].rstrip():
            continue  # a rater saw a different text (trailing whitespace aside): keep the first
        m["raters"] += 1
        m["errors"].extend(e for e in r["errors"] if e.get("side") == "target" and e.get("start") is not None)
    return [merged[k] for k in sorted(merged)]


def clean_role(doc_id: str) -> str:
    return "heldout" if bucket(str(doc_id), 10) == 0 else "lm"


def read_jsonl(path: Path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


CLEAN_SOURCES = {
    # name: (relative path, licence)
    "wikipedia": ("wikipedia-2015-more/wikipedia_2015_more.jsonl", "CC BY-SA 3.0"),
    "ungd": ("un-general-debate-2015-2023/ungd_2015_2023_paragraphs.jsonl", "CC0 1.0"),
    "gutenberg": ("gutenberg-post1880-prose/gutenberg_post1880_paragraphs.jsonl", "public domain"),
}


def clean_docs(corpora: Path, name: str):
    """Yield (doc_id, [paragraphs]) for one clean-prose source."""
    rel, _ = CLEAN_SOURCES[name]
    for rec in read_jsonl(corpora / rel):
        paras = rec["paragraphs"] if "paragraphs" in rec else rec["text"].split("\n")
        yield f"{name}:{rec['id']}", [p for p in paras if p.strip()]
