"""``garble check --jobs N``: worker processes give exactly the serial output, in input order."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import garble.cli as cli

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


class _Stdin(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.buffer = io.BytesIO(b"")


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(argv, stdout=out, stderr=err, stdin=_Stdin())
    return code, out.getvalue(), err.getvalue()


def _corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(SAMPLES, root, ignore=shutil.ignore_patterns("seeds"))
    # a subdirectory with its own config (other settings, so another checker in the workers)
    sub = root / "quiet"
    sub.mkdir()
    shutil.copy(SAMPLES / "mojibake-damaged.txt", sub / "m.txt")
    shutil.copy(SAMPLES / "incoherent-earnings-asr-librispeech.txt", sub / "asr.txt")
    (sub / "garble.toml").write_text('ignore = ["IC", "MJ101"]\n', encoding="utf-8")
    (root / "broken.txt").write_bytes(b"\xff\xfe\x00binary\x00\x00")  # unreadable: an error line, no worker
    return root


def test_parallel_check_gives_the_serial_output(tmp_path):
    root = _corpus(tmp_path)
    serial = run(["check", str(root), "--format", "json"])
    parallel = run(["check", str(root), "--format", "json", "-j", "2"])
    assert parallel == serial
    code, out, err = serial
    docs = json.loads(out)["files"]
    assert code == 2 and "broken.txt" in err  # the unreadable file is reported, the rest checked
    codes = {Path(d["path"]).name: {f["code"] for f in d.get("findings", [])} for d in docs}
    assert any(c.startswith("IC") for c in codes["incoherent-earnings-asr-librispeech.txt"])
    assert not any(c.startswith("IC") for c in codes["asr.txt"])  # the subdirectory's config applies


def test_parallel_jsonl_input_streams_in_order(tmp_path):
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    src = tmp_path / "docs.jsonl"
    recs = [{"id": i, "text": t} for i, t in enumerate(texts * 3)]
    recs.insert(5, {"id": "bad", "body": "no text field"})
    src.write_text("\n".join(json.dumps(r) for r in recs) + "\n", encoding="utf-8")
    serial = run(["check", "--jsonl-input", str(src), "--format", "jsonl"])
    parallel = run(["check", "--jsonl-input", str(src), "--format", "jsonl", "--jobs", "0"])
    assert parallel == serial
    assert [json.loads(x).get("id") for x in serial[1].splitlines()] == [r["id"] for r in recs]


def test_negative_jobs_is_a_usage_error(tmp_path):
    code, _, err = run(["check", str(tmp_path), "-j", "-1"])
    assert code == 2 and "--jobs" in err


def test_chunks_wait_for_a_full_batch_only_while_input_keeps_coming():
    docs = [(f"d{i}", f"text {i}", None, False, i) for i in range(150)]
    docs.insert(70, ("broken", None, "not UTF-8", True, None))
    checker = object()
    full = list(cli._chunks(iter(docs), lambda p: checker))
    assert [len(c) for _, c in full] == [64, 6, 1, 64, 16]  # 64 per chunk; the unreadable one alone
    assert [item for _, c in full for item in c] == docs
    assert [k for k, _ in full] == [checker, checker, None, checker, checker]
    # input that is not ready (a slow pipe): every record goes out at once
    trickle = list(cli._chunks(iter(docs[:5]), lambda p: checker, ready=lambda: False))
    assert [len(c) for _, c in trickle] == [1, 1, 1, 1, 1]
