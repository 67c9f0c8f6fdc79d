"""Document views: markup from the path, and the code spans no rule reports in."""

from __future__ import annotations

import pytest

from garble import check
from garble.document import Document


@pytest.mark.parametrize(
    "path, markup",
    [("README.md", "markdown"), ("docs/Guide.MARKDOWN", "markdown"), ("x.mdx", "markdown"), ("index.rst", "rst"),
     ("notes.txt", "text"), ("<stdin>", "text"), ("dir.md/file", "text"), ("Makefile", "text")],
)
def test_markup_follows_the_suffix(path, markup):
    assert Document("x", path).markup == markup


def test_markup_can_be_given_and_is_checked():
    assert Document("x", "<stdin>", {"markup": "markdown"}).markup == "markdown"
    with pytest.raises(ValueError, match="unknown markup 'html'"):
        _ = Document("x", "a.md", {"markup": "html"}).markup


def spans(text: str, path: str) -> list[str]:
    return [text[s:e] for s, e in Document(text, path).code_spans]


MD = """# Title

Some `code here` and ``a ` b`` text, <a id="x">link</a>, [CI](#testing-and-ci) and <https://x.org>.
<!-- a comment
over two lines -->

    indented code
    more

- a list item
    whose continuation is indented

[ref]: https://example.com

```
fenced
```
A stray ` backtick and x < y > z.
"""


def test_markdown_code_spans():
    assert spans(MD, "a.md") == [
        "`code here`", "``a ` b``", '<a id="x">', "</a>", "](#testing-and-ci)", "<https://x.org>",
        "<!-- a comment\nover two lines -->", "    indented code\n    more", "[ref]: https://example.com",
        "```\nfenced\n```",
    ]


def test_plain_text_has_only_fenced_blocks():
    assert spans(MD, "a.txt") == ["```\nfenced\n```"]


def test_inline_code_does_not_run_across_paragraphs():
    text = "An opening ` here.\n\nAnd a closing ` there.\n"
    assert spans(text, "a.md") == []


RST = """Title
=====

Run this::

    pip install x
    y

.. code-block:: python

   import os

Back to prose with ``literal`` and :func:`os.path`.

.. note::

   Prose in a note.

.. a comment
   that goes on
"""


def test_rst_code_spans():
    assert spans(RST, "a.rst") == [
        "    pip install x\n    y", ".. code-block:: python\n\n   import os", "``literal``", ":func:`os.path`",
        ".. a comment\n   that goes on",
    ]


def test_in_code():
    doc = Document(MD, "a.md")
    i = MD.index("code here")
    assert doc.in_code(i) and not doc.in_code(MD.index("Some")) and not doc.in_code(len(MD))


def test_no_finding_is_reported_inside_code_in_markdown():
    text = "The word `JosÃ©` shows mojibake.\n\n    JosÃ© in an indented block\n\nBut JosÃ© here is damage.\n"
    md = check(text, path="notes.md", select=["MJ"])
    assert [d.start.line for d in md.diagnostics] == [5]
    txt = check(text, path="notes.txt", select=["MJ"])
    assert [d.start.line for d in txt.diagnostics] == [1, 3, 5]



def test_a_finding_that_reaches_past_the_code_is_kept(fake_registry):
    from garble.engine import Settings

    text = "Say `BAD` and go, `BAD`.\n"
    r = check(text, path="a.md", settings=Settings(detectors={"padding": {"word": "`BAD` and"}}))
    assert [(d.start.column, d.end.column) for d in r.diagnostics] == [(5, 14)]
    inside = check(text, path="a.md", settings=Settings(detectors={"padding": {"word": "BAD"}}))
    assert inside.diagnostics == []
