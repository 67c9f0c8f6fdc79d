"""Shared helpers for CLI-level tests of garble's workflow features (config, fix, formats)."""

from __future__ import annotations

import io

import garble.cli as cli


class FakeStdin(io.StringIO):
    def __init__(self, data: bytes = b"") -> None:
        super().__init__()
        self.buffer = io.BytesIO(data)


def run(argv, stdin=b""):
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(argv, stdout=out, stderr=err, stdin=FakeStdin(stdin))
    return code, out.getvalue(), err.getvalue()
