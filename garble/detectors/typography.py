"""Typography: small slips that careful text does not contain.

A missing space after punctuation (``sanctions.However``), a sentence that
starts in lower case, a proper noun written in lower case although the same
text capitalises it (``china`` beside ``China``) or a known brand in lower case
(``chatgpt``), a word absent from an English frequency list with one clear
correction (``necesary``), and a doubled word (``the the``).

Everything inside URLs, e-mail addresses, file paths and names, version
numbers, decimals, inline code, fenced code, HTML tags, @handles and #tags is
skipped. The checks are deliberately conservative: a clean article must get no
finding at all (the false-positive rate on clean Wikipedia prose is measured
and stated in each rule's doc).
"""

from __future__ import annotations

import importlib.util
import os
import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, compress, filterfalse

from garble.detectors.base import Detector, LazyRe as _LazyRe
from garble.document import Document
from garble.types import Assessment, Finding, Fix, Rule, Severity


RULES = (
    Rule(
        "TY101",
        "missing-space-after-punctuation",
        "No space after a comma, full stop, semicolon, colon, question or exclamation mark between two words",
        Severity.WARNING,
        weight=1.0,
        fixable="safe",
        doc=(
            "Flags two words glued by punctuation: 'technology,DeepSeek', 'US,a fear', 'sanctions.However', "
            "'note;the', 'really?Yes'. Scraping that drops line breaks or careless editing leaves these; "
            "tokenisers then see one token. The safe fix inserts the space. "
            "Not flagged: URLs, e-mail addresses, domains and file names (example.com, README.md, Node.js), "
            "paths, version numbers and decimals (v1.2.3, 3.5), thousands separators (1,000), abbreviations "
            "(e.g., i.e., U.S., Ph.D.), code spans and fenced code, identifiers (os.path, std::vector), "
            "single letters (x,y)."
        ),
        example="The US has long targeted Huawei with sanctions.However, DeepSeek thrived.",
    ),
    Rule(
        "TY102",
        "lowercase-sentence-start",
        "A sentence starts with a lower-case letter",
        Severity.WARNING,
        weight=0.8,
        fixable="safe",
        doc=(
            "Flags a prose line that starts in lower case after a blank line, a heading or a line ending a "
            "sentence, and a word in lower case right after '. ', '? ' or '! ' inside a line. Usually a "
            "dropped capital from editing or from a speech transcript. "
            "Not flagged: lines that continue a hard-wrapped sentence, list items, after abbreviations "
            "(e.g., i.e., etc., vs., U.S., a.m.) or an ellipsis, names with lower-case particles (de, van, "
            "von), brand names that start in lower case (iPhone, eBay, npm, macOS), code-like lines."
        ),
        example="The US Response\nthe shockwaves created by DeepSeek have not gone unnoticed.",
    ),
    Rule(
        "TY103",
        "lowercase-proper-noun",
        "A proper noun or brand in lower case, where the text (or the brand) capitalises it",
        Severity.WARNING,
        weight=0.8,
        fixable="safe",
        doc=(
            "Flags a lower-case word that the same document writes capitalised in the middle of sentences "
            "at least twice as often ('a china analyst' in a text that says 'China' everywhere else), and "
            "known brand names in lower case ('chatgpt' for ChatGPT, 'youtube' for YouTube). "
            "Not flagged: words whose capitalised form only starts sentences; ALL-CAPS forms (US vs us, "
            "IT vs it); common words that are also names (may/May, party/Party, state/State, bill/Bill ...); "
            "proper nouns the text never capitalises; brand names inside URLs, paths and code. "
            "The fix is unsafe (garble fix --unsafe) for names that are also ordinary words "
            "(turkey, china, english): 'roast turkey' must stay."
        ),
        example="Exports from China rose while imports to China fell, a china analyst said.",
    ),
    Rule(
        "TY104",
        "misspelled-word",
        "A lower-case word missing from the English frequency list, with one clear correction",
        Severity.INFO,
        weight=0.6,
        fixable="unsafe",
        doc=(
            "Flags a lower-case alphabetic word of 4+ letters that is not in the 82,765-word English "
            "frequency dictionary shipped by symspellpy (nor an inflection or prefixed form of a word in it), "
            "appears only once in the text, and has exactly one clearly most frequent dictionary word one "
            "edit away (insert, delete, replace or swap one letter): 'necesary' -> 'necessary'. The "
            "suggestion is an unsafe fix. Not flagged: capitalised words and names, words with digits, "
            "hyphens or apostrophes, ALL-CAPS, words repeated in the text (a term the text uses on purpose), "
            "URLs, paths and code. Off (no finding) when symspellpy is not installed."
        ),
        example="You have observed necesary steps.",
    ),
    Rule(
        "TY105",
        "doubled-word",
        "The same word twice in a row ('the the')",
        Severity.WARNING,
        weight=1.0,
        fixable="safe",
        doc=(
            "Flags a word repeated immediately ('the the', 'to to', 'is is not'), also across a line break "
            "inside a paragraph; the fix keeps one copy. "
            "Not flagged: grammatical doubles ('that that', 'had had', 'is is' after 'what it'), deliberate "
            "reduplication ('very very', 'bye bye', 'ha ha', 'knock knock'), capitalised names "
            "('Sirhan Sirhan', 'Bora Bora'), numbers, doubles across a blank line or punctuation."
        ),
        example="It was the the best of times.",
    ),
)

# ---------------------------------------------------------------------------
# Protected spans: nothing inside them is checked by any rule.
# Spans that may contain spaces: inline code, HTML/XML tags, Markdown link targets.
_PROTECT_SPAN_RE = _LazyRe(r"`[^`\n]+`|<[a-zA-Z/!][^>\n]*>|\]\([^)\s]*\)")
# Tokens worth a closer look: any whitespace-free run holding a character that
# URLs, paths, e-mails, versions or identifiers need. Plain words are skipped,
# which keeps the scan fast (the full pattern is slow on every word boundary).
# (Scanned from the token's first such character to its end; the token's start
# is found by stepping back to the whitespace before it, see _special_tokens.)
_TOKEN_TAIL_RE = _LazyRe(r"[\d./:@#\\_]\S*")
# A word with a full stop and closing quotes ("ended.”), 60% of those tokens on
# real text, holds nothing _PROTECT_RE matches (no digit, slash, colon, @, #, _
# and no letter after the dot): skipped without running _PROTECT_RE.
def _special_tokens(text: str):
    """(start, end) of every whitespace-delimited token holding a digit or one
    of . / : @ # \\ _ (what URLs, paths, e-mails, versions and identifiers need)."""
    for m in _TOKEN_TAIL_RE.finditer(text):
        # the match starts at the token's first such character (the previous
        # match ended at whitespace): step back over the plain characters before it
        i = m.start()
        while i and not text[i - 1].isspace():
            i -= 1
        yield i, m.end()


_PLAIN_TOKEN_RE = _LazyRe(r"""[(\["“‘']*[^\W\d_](?:[^\W\d_]|['’])*\.[)\]"”’]*""")
_PROTECT_RE = _LazyRe(
    r"""(?ix)
      \b(?:https?|ftp|file|mailto|ssh|git|s3)://[^\s<>"”’)\]]+   # URLs
    | \b(?:mailto|urn|doi|arxiv|isbn):\S+
    | \bwww\.[^\s<>"”’)\]]+
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+                            # e-mail addresses
    | (?<![\w/])[@\#][\w-]+                                   # @handles, #tags
    | (?:~|\.{1,2})?(?:/[\w.@+%:-]+){2,}/?                    # POSIX paths
    | \b[a-z]:\\[^\s]+                                        # Windows paths
    | \b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|mil|int|io|ai|co|uk|us|de|fr|jp|cn|ru|in|info|biz|dev|app|
         py|pyi|js|mjs|ts|tsx|jsx|md|rst|txt|json|jsonl|ya?ml|toml|ini|cfg|conf|html?|css|scss|csv|tsv|xml|pdf|png|
         jpe?g|gif|svg|webp|exe|dll|so|sh|bash|rs|go|java|kt|cpp|cc|hpp|c|h|rb|php|pl|lua|zip|tar|gz|bz2|xz|7z|
         ipynb|docx?|xlsx?|pptx?|log|lock|sql|db|wav|mp3|mp4|mov|avi|bin|iso)\b  # domains and file names
    | \bv?\d+(?:[.,:]\d+)+[a-z]*\b                            # versions, decimals, times, 1,000
    | \b[\w$]+(?:\.[a-z_$][\w$]*)+\(                           # method calls obj.method(
    | \b\w+::\w+                                              # C++/Rust paths
    | \b[a-z]+_[\w]+                                          # snake_case identifiers
    """
)

# Abbreviations after which a full stop does not end a sentence (TY102) and
# which may be followed by a capital without a space being missing (TY101).
_ABBREV = {
    "e.g", "i.e", "etc", "vs", "cf", "al", "approx", "ca", "c", "fig", "figs", "no", "nos", "vol", "vols", "ch",
    "chap", "pp", "p", "ed", "eds", "jr", "sr", "mr", "mrs", "ms", "dr", "prof", "st", "mt", "ft", "inc", "ltd",
    "co", "corp", "dept", "est", "min", "max", "misc", "viz", "resp", "ibid", "op", "cit", "ff", "seq", "lit",
    "orig", "trans", "var", "sp", "spp", "subsp", "gen", "lt", "col", "gov", "sen", "rep", "rev", "hon", "capt",
    "sgt", "cmdr", "adm", "pres", "univ", "assn", "bros", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "n.b",
    "a.m", "p.m", "u.s", "u.k", "ph.d", "b.c", "a.d", "b.c.e", "c.e", "a.k.a", "et", "seq", "esp", "incl", "excl",
    "nr", "ref", "refs", "sec", "secs", "eq", "eqs", "tbsp", "tsp", "oz", "lb", "lbs", "in", "km", "mi", "yr", "yrs",
    "hr", "hrs", "mins", "cent", "vii", "viii", "ii", "iii", "iv", "vi", "ix", "xi", "approx", "dist", "div", "pop",
    "ie", "eg", "aka", "cca", "fe",
}
_SENTENCE_ENDS = (".", "!", "?", ".”", "!”", "?”", '."', '!"', '?"')
# Name particles and brand/tool names that legitimately start a sentence in lower case.
_LOWER_OK = {
    "de", "da", "del", "della", "di", "du", "van", "von", "der", "den", "le", "la", "al", "bin", "ibn", "el", "dos",
    "das", "ter", "ten", "zu", "y", "e", "d", "l", "npm", "pip", "git", "conda", "yarn", "pnpm", "bash", "zsh",
    "sudo", "grep", "curl", "wget", "vim", "emacs", "ls", "cd", "numpy", "pandas", "pytest", "scipy", "jq",
    "ssh", "make", "cmake", "gcc", "clang", "rustc", "cargo", "go", "node", "deno", "bun", "brew", "apt",
    "mkdir", "rm", "cp", "mv", "cat", "echo", "python", "python3", "docker", "kubectl", "helm", "tmux",
}

# Brands whose casing is not first-letter-capital; lower-case forms in prose are slips.
# (Lower-case-by-design names such as npm or pip are not here.)
_BRANDS = {
    b.lower(): b
    for b in (
        "ChatGPT", "OpenAI", "DeepSeek", "iPhone", "iPad", "iPod", "iOS", "iPadOS", "macOS", "iCloud", "iTunes",
        "iMac", "eBay", "YouTube", "PayPal", "LinkedIn", "GitHub", "GitLab", "JavaScript",
        "PowerPoint", "WhatsApp", "TikTok", "WordPress", "PlayStation", "SpaceX", "FedEx", "HuggingFace",
        "SoftBank", "AstraZeneca", "PyTorch", "TensorFlow", "MySQL", "PostgreSQL",
        "MongoDB", "NVIDIA", "AirPods", "MacBook", "DeepMind", "AliExpress", "ByteDance", "WeChat",
    )
}
# Brands that are also ordinary lower-case words or verbs are not listed
# (google, apple, amazon, meta, windows, office, word, excel, twitter, uber).

# Words that are both a common lower-case word and a capitalised name; TY103
# never flags them (May/may, Bill/bill, Party/party, State/state, ...).
_AMBIGUOUS = set(
    """
    may march april june august will bill mark rose grace hope faith joy frank earnest pat sue bob jack page ray
    dawn summer art guy king queen prince princess duke lord lady god gods church state states party parties
    president government court university college school river lake mount mountain city county north south east
    west northern southern eastern western sun moon earth web internet senate congress parliament army navy air
    force republic empire kingdom union constitution war revolution age era house street road avenue island
    islands bay sea ocean valley park center centre institute museum hospital company group award prize series
    book act law treaty day new old great black white red green blue brown gold silver bank board council
    committee department ministry minister secretary general governor mayor chief justice bishop pope emperor
    father mother sister brother saint cape point port fort hill hills bridge hall tower castle palace temple
    station airport club league cup games world national federal royal central united american english french
    western classic modern ancient middle upper lower greater little big bible scripture heaven hell paradise
    christian catholic protestant orthodox reform reformed conservative liberal labour labor democrat democratic
    republican socialist communist green greens left right independent first second third one two nature
    spring fall autumn winter morning evening network system project program programme campaign movement
    foundation trust fund authority agency service services office bureau commission corporation association
    society federation alliance front coalition tribe nation nations people press times post daily weekly news
    herald journal review gazette tribune chronicle standard star guardian mail express observer telegraph
    continental atlantic pacific arctic antarctic equator tropic gulf strait channel canal coast shore plain
    plains desert forest wood woods field fields garden gardens square market place lane way drive court close
    crescent terrace grove vale glen moor heath ridge peak summit rock stone sound head ness
    year years day days week eve
    turkey jordan chad guinea georgia victoria orange lincoln washington
    """.split()
)

# Lower-case words that open sentences and are neither file extensions nor
# top-level domains (unlike "in", "it", "me", "is", "to", "js", "py", "md").
_GLUED_OPENERS = frozenset(
    "the and but however then there these they their which while when although because after before "
    "meanwhile also since yet instead".split()
)
_SPACE_RE = _LazyRe(r"\s")
_PREV_WORD_RE = _LazyRe(r"([^\W\d_]+)[ \u00a0]+$")  # TY104: the word before, across spaces only
_SHORT_QUOTE_RE = _LazyRe(r"[\"“«]([^\"”»\n]{1,60})[\"”»]")
_WORD_RE = _LazyRe(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# _WORD_RE as the separator of split() (possessive: nothing follows the word,
# so giving back letters could never help a match)
_WORD_SPLIT_RE = _LazyRe(r"([^\W\d_]++(?:['’][^\W\d_]++)*+)")


class _Words:
    """The words of a text as three parallel lists (start, end, word); indexing
    gives a ``(start, end, word)`` tuple. Tuples are made only for the few
    words a rule looks at, not for every word of the text."""

    __slots__ = ("starts", "ends", "ws")

    def __init__(self, starts: list[int], ends: list[int], ws: list[str]) -> None:
        self.starts, self.ends, self.ws = starts, ends, ws

    def __len__(self) -> int:
        return len(self.ws)

    def __getitem__(self, i: int) -> tuple[int, int, str]:
        return self.starts[i], self.ends[i], self.ws[i]

    def __iter__(self):
        return zip(self.starts, self.ends, self.ws)


_KEEP = bytes([1, 0]) + bytes(254)  # bytes.translate table: mask byte 0 -> keep (1), 1 -> drop (0)


def _words(text: str, mask: bytearray | None) -> _Words:
    """Every _WORD_RE match not starting in a protected span (``mask``).

    Built without a Python step per match: split() returns the text between
    the words and the words alternately, and the running sum of their lengths
    gives every start and end offset.
    """
    parts = _WORD_SPLIT_RE.split(text)
    ends = list(accumulate(map(len, parts)))
    starts, ends, ws = ends[0:-1:2], ends[1::2], parts[1::2]
    if mask is not None:
        keep = bytes(map(mask.__getitem__, starts)).translate(_KEEP)
        starts, ends, ws = list(compress(starts, keep)), list(compress(ends, keep)), list(compress(ws, keep))
    return _Words(starts, ends, ws)


_LETTER = r"[^\W\d_]"


@cache
def _dictionary() -> dict[str, str] | None:
    """symspellpy's 82,765-word English frequency list (word -> count as text),
    loaded once on first use (30-40 ms warm).

    Found through the installed package's location without importing it; None
    when symspellpy is not installed (TY104 is then silent).
    """
    spec = importlib.util.find_spec("symspellpy")
    if spec is None or not spec.origin:
        return None
    path = os.path.join(os.path.dirname(spec.origin), "frequency_dictionary_en_82_765.txt")
    try:
        with open(path, encoding="utf-8") as f:
            data = f.read().split()
    except OSError:
        return None
    it = iter(data)
    # counts stay strings (converting 82k of them doubles the load time); the
    # few that are compared go through int()
    return dict(zip(it, it))


@cache
def _proper_nouns_list() -> tuple[frozenset[str], frozenset[str]]:
    """garble/data/typography_proper_nouns.txt: (always-capitalised, also-ordinary)."""
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "typography_proper_nouns.txt")
    always: set[str] = set()
    ambiguous: set[str] = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            if line.startswith("?"):
                ambiguous.update(line[1:].split())
            else:
                always.update(line.split())
    return frozenset(always), frozenset(ambiguous)


# Suffixes/prefixes whose removal from an unknown word giving a known word
# makes it an inflection or derivation, not a misspelling ("anarchisms",
# "reinvented", "non-state" parts). Longest first.
_SUFFIXES = (
    "ations", "ation", "ments", "ment", "nesses", "ness", "ities", "ity", "ically", "ical", "ists", "ist", "isms",
    "ism", "izers", "izer", "izing", "ized", "izes", "ize", "isers", "iser", "ising", "ised", "ises", "ise", "ings",
    "ing", "ers", "er", "est", "ably", "able", "ibly", "ible", "fully", "ful", "less", "ally", "ly", "ies", "ied",
    "es", "ed", "s", "d", "y", "al", "ic", "ics", "ian", "ians", "ish", "ive", "ives", "ous", "ship", "ships",
    "hood", "like", "wise", "ward", "wards", "dom", "ette", "ettes", "let", "lets",
)
_PREFIXES = (
    "un", "re", "non", "pre", "anti", "over", "under", "co", "sub", "inter", "multi", "post", "semi", "mis",
    "dis", "counter", "de", "pro", "proto", "pseudo", "neo", "micro", "macro", "mega", "hyper", "super", "ultra",
    "trans", "out", "up", "down", "self", "mid", "bi", "tri", "mono", "poly", "auto", "meta", "para", "quasi",
    "extra", "intra", "infra", "fore", "en", "em", "in", "im", "il", "ir", "ex", "geo", "bio", "eco", "socio",
    "tele", "cyber", "photo", "electro", "thermo", "hydro", "retro",
)


# US <-> UK spelling pairs: the symspellpy list holds only one of many such
# pairs ("labour" but not "labor", "catalog" missing, "endeavour" only).
_VARIANTS = (
    ("our", "or"), ("or", "our"), ("ter", "tre"), ("tre", "ter"), ("ize", "ise"), ("ise", "ize"), ("yze", "yse"),
    ("yse", "yze"), ("og", "ogue"), ("eled", "elled"), ("eling", "elling"), ("eler", "eller"), ("elled", "eled"),
    ("elling", "eling"), ("ense", "ence"), ("ence", "ense"), ("gray", "grey"), ("ization", "isation"),
    ("isation", "ization"), ("ae", "e"), ("oe", "e"), ("e", "ae"), ("e", "oe"), ("sk", "sc"), ("sc", "sk"), ("ment", "ement"), ("ement", "ment"), ("eable", "able"), ("able", "eable"),
    ("ifact", "efact"), ("um", "ium"), ("ium", "um"),
)


def _variants(word: str):
    for a, b in _VARIANTS:
        i = word.find(a)
        while i != -1:
            yield word[:i] + b + word[i + len(a):]
            i = word.find(a, i + 1)


def _known(word: str, dic: dict[str, str]) -> bool:
    if _known1(word, dic):
        return True
    return any(_known1(v, dic) for v in _variants(word))


def _known1(word: str, dic: dict[str, str]) -> bool:
    if word in dic:
        return True
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            stem = word[: -len(suf)]
            if stem in dic or stem + "e" in dic or (len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in dic) \
                    or (stem.endswith("i") and stem[:-1] + "y" in dic):
                return True
    for pre in _PREFIXES:
        if word.startswith(pre) and len(word) - len(pre) >= 4 and _known_simple(word[len(pre):], dic):
            return True
    # closed compounds of two known words (e.g. "starfield", "beachfront")
    for i in range(3, len(word) - 2):
        if word[:i] in dic and word[i:] in dic and int(dic[word[:i]]) > 1_000_000 and int(dic[word[i:]]) > 1_000_000:
            return True
    return False


def _known_simple(word: str, dic: dict[str, str]) -> bool:
    if word in dic:
        return True
    for suf in ("s", "es", "ed", "ing", "er", "ers", "ly", "d"):
        if word.endswith(suf) and (word[: -len(suf)] in dic or word[: -len(suf)] + "e" in dic):
            return True
    return False


_ALPHA = "abcdefghijklmnopqrstuvwxyz"


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _ALPHA]
    inserts = [a + c + b for a, b in splits for c in _ALPHA]
    return set(deletes + swaps + replaces + inserts)


_VOWELS = set("aeiouy")


def _edit_kind(word: str, cand: str) -> str:
    """Classify the single edit turning ``word`` into ``cand``."""
    if len(cand) == len(word) + 1:  # the word lacks a letter
        i = next((k for k in range(len(word)) if word[k] != cand[k]), len(word))
        added = cand[i]
        if (i > 0 and cand[i - 1] == added) or (i + 1 < len(cand) and cand[i + 1] == added):
            return "double"  # necesary -> necessary
        return "insert"
    if len(cand) == len(word) - 1:  # the word has an extra letter
        i = next((k for k in range(len(cand)) if word[k] != cand[k]), len(cand))
        extra = word[i]
        if (i > 0 and word[i - 1] == extra) or (i + 1 < len(word) and word[i + 1] == extra):
            return "double"  # untill -> until
        return "delete"
    diff = [k for k in range(len(word)) if word[k] != cand[k]]
    if len(diff) == 2 and diff[1] == diff[0] + 1:
        return "swap"  # recieve -> receive
    k = diff[0]
    if word[k] in _VOWELS and cand[k] in _VOWELS:
        return "vowel"  # seperate -> separate
    return "replace"


def _plausible(word: str, cand: str, freq: int) -> bool:
    """Typo classes that are common in real slips and rare between two real
    words. Measured on clean Wikipedia paragraphs: consonant replacements
    (autotomy/autonomy, hominins/hominids) and extra letters (placoid/placid)
    are mostly rare real words, so they are not reported."""
    kind = _edit_kind(word, cand)
    if kind in ("double", "swap"):
        return True
    if kind == "vowel":
        # seperate -> separate; not the last letter (Latin/Greek endings:
        # obscura, invertebrata) and only towards a common word (methyne ->
        # methane, pristane -> pristine are chemistry, below 1e7)
        return len(word) >= 6 and word[-1] == cand[-1] and freq >= 10_000_000
    if kind == "insert":
        # goverment -> government; a common word only (micelle -> michelle
        # at 1.2e7 is a name)
        return len(word) >= 7 and freq >= 20_000_000
    return False


def _plausible_edits(word: str) -> set[str]:
    """Every word one edit away whose edit _plausible can accept: deletions,
    swaps, vowel-for-vowel replacements, doubling insertions, and (7+ letters)
    any insertion. A subset of _edits1 about half its size."""
    n = len(word)
    splits = [(word[:i], word[i:]) for i in range(n + 1)]
    out = [a + b[1:] for a, b in splits if b]
    out += [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    out += [a + v + b[1:] for a, b in splits if b and b[0] in _VOWELS for v in "aeiouy"]
    if n >= 7:
        out += [a + c + b for a, b in splits for c in _ALPHA]
    else:
        out += [a + a[-1] + b for a, b in splits if a]
        out += [a + b[0] + b for a, b in splits if b]
    return set(out)


def _suggest(word: str, dic: dict[str, str]) -> tuple[str, float] | None:
    """The clearly best dictionary word one edit away, with a confidence."""
    # quick exit: the best candidate must be a common word of a plausible typo
    # class (see below), and most unknown words (names, terms) have none
    for c in _plausible_edits(word) & dic.keys():
        if c != word and int(dic[c]) >= 100_000 and _plausible(word, c, int(dic[c])):
            break
    else:
        return None
    found = _edits1(word) & dic.keys()  # (a C-level set intersection)
    found.discard(word)
    cands = sorted(((int(dic[c]), c) for c in found), reverse=True)
    if not cands:
        return None
    best_f, best = cands[0]
    # a clear winner: the only candidate, or 20x more frequent than the next
    # (ambiguous cases like "wend" -> went/wind/weed are rarely slips worth
    # reporting); a reasonably common word (>= 100,000 in the list's
    # 1e12-token count; below that the "correction" is itself a rare word);
    # and a plausible typo class (see _plausible)
    if best_f < 100_000 or not _plausible(word, best, best_f):
        return None
    if len(cands) == 1:
        return best, 0.7
    if best_f >= 20 * cands[1][0]:
        return best, 0.6
    return None


@dataclass(frozen=True)
class TypographyOptions:
    #: check spelling against the symspellpy frequency list (TY104)
    spelling: bool = True
    #: TY104: shortest word checked (short words are too often abbreviations)
    min_spell_length: int = 4


class Typography(Detector):
    family = "typography"
    prefix = "TY"
    rules = RULES
    Options = TypographyOptions
    # Two findings per 1,000 characters halve the family score: one slip in a
    # short article is minor, a slip every few lines is damaged text.
    half_point = 2.0
    weight = 0.6

    def assess(self, doc: Document, enabled: frozenset[str]) -> Assessment:
        text = doc.text
        prot: list[tuple[int, int]] = list(doc.fenced_blocks)
        prot += [(m.start(), m.end()) for m in _PROTECT_SPAN_RE.finditer(text)]
        plain = _PLAIN_TOKEN_RE.fullmatch
        for base, end in _special_tokens(text):
            token = text[base:end]
            if plain(token):
                continue
            prot += [(base + m.start(), base + m.end()) for m in _PROTECT_RE.finditer(token)]
        prot.sort()
        # a boolean mask is simplest and fast enough for documents of a few MB
        mask = bytearray(len(text) + 1)
        qmask = bytearray(len(text) + 1)  # short quotations (cited terms)
        for m in _SHORT_QUOTE_RE.finditer(text):
            qmask[m.start():m.end()] = b"\x01" * (m.end() - m.start())
        for s, e in prot:
            mask[s:e] = b"\x01" * (e - s)

        def protected(s: int, e: int) -> bool:
            return mask.find(1, s, e) >= 0

        findings: list[Finding] = []
        if "TY101" in enabled:
            findings += self._missing_space(text, protected)
        words = _words(text, mask if prot else None) if ("TY103" in enabled or "TY104" in enabled) else []
        if "TY102" in enabled:
            findings += self._lower_starts(doc, protected)
        if "TY103" in enabled:
            findings += self._proper_nouns(text, words, qmask)
        if "TY104" in enabled and self.options.spelling:
            findings += self._spelling(text, words, qmask)
        if "TY105" in enabled:
            findings += self._doubles(text, protected)
        findings.sort(key=lambda f: (f.start, f.end, f.code))
        return Assessment(tuple(findings))

    # -- TY101 ---------------------------------------------------------------
    # a punctuation mark with a letter on both sides (cheap to scan for), then
    # the words around it
    # (the punctuation first, then the look-behind over it: the scan jumps from
    # punctuation mark to punctuation mark instead of testing every character)
    _GLUE_POINT_RE = _LazyRe(rf"[,;:.!?](?<={_LETTER}[,;:.!?])(?={_LETTER})")
    _LEFT_WORD_RE = _LazyRe(rf"{_LETTER}[\w’'&-]*$")
    _RIGHT_WORD_RE = _LazyRe(rf"{_LETTER}[\w’'-]*")

    def _missing_space(self, text: str, protected) -> list[Finding]:
        out = []
        for pm in self._GLUE_POINT_RE.finditer(text):
            # expand the glue point to the words on both sides
            lm = self._LEFT_WORD_RE.search(text, max(0, pm.start() - 80), pm.start())
            rm = self._RIGHT_WORD_RE.match(text, pm.end())
            if not lm or not rm:
                continue
            left, p, right = lm.group(0), pm.group(0), rm.group(0)
            s, e = lm.start(), rm.end()
            if protected(s, e):
                continue
            # the whole whitespace-delimited token: code and identifiers have
            # brackets, equals signs, slashes or several dots
            # (bounded look-back: a megabyte-long line must not make this quadratic)
            lo = max(0, s - 200)
            ts = max(text.rfind(" ", lo, s), text.rfind("\n", lo, s), lo - 1) + 1
            te_m = _SPACE_RE.search(text, e)
            te = te_m.start() if te_m else len(text)
            token = text[ts:te]
            if any(c in token for c in "()[]{}=<>/\\|_@#$%^*~`+") or token.count(p) > 1 and p != ",":
                continue
            if len(left) < 2 and len(right) < 2:
                continue  # x,y  a.b
            if len(left) == 1 and right.startswith(left):
                continue  # chemical locants: N,N-dimethylformamide, α,α-disubstituted
            if p == ".":
                # a sentence boundary: a real word before, a capitalised word
                # after ("sanctions.However"); "Node.js", "ASP.NET", "e.g.",
                # "U.S." and "St.Louis"-like abbreviations are left alone
                # ... or a lower-case sentence opener that is no file extension or
                # top-level domain ("ended.the ministers"), after a lower-case
                # word and before a space
                capital = right[0].isupper() and len(right) >= 2 and right[1:].islower()
                opener = (right in _GLUED_OPENERS and left.islower() and len(left) >= 3
                          and text[e:e + 1] == " ")
                if not ((capital or opener) and len(left) >= 2 and left.lower() not in _ABBREV
                        and not left.isupper()):
                    continue
                if text[s - 1:s] == "." or (s >= 2 and text[s - 2:s - 1] == "."):
                    continue  # u.s.Army
            elif p == ":":
                # "note:This"; protocol-like and namespace-like pairs ("Category:Foo",
                # "xml:lang") stay: only lower-case word + capitalised word
                if not (left.islower() and len(left) >= 3 and right[0].isupper() and right[1:].islower()):
                    continue
            elif p == ";":
                if not (left.isalpha() and len(left) >= 2):
                    continue
            elif p in "?!":
                if not (right[0].isupper() and len(right) >= 2) or left.lower() in {"yahoo", "jeopardy"}:
                    continue
            out.append(Finding(
                "TY101",
                f"no space after ‘{p}’ between ‘{left}’ and ‘{right}’",
                s, e, 0.9 if p in ",." else 0.75,
                Fix(f"{left}{p} {right}", title=f"insert a space after ‘{p}’"),
            ))
        return out

    # -- TY102 ---------------------------------------------------------------
    # inside a line only after a full stop: after "!" and "?" a lower-case
    # continuation is an accepted literary style ("Oh! oh, miss!", "What! have
    # you found it?"), measured on Gutenberg fiction
    _INLINE_START_RE = _LazyRe(r"([\w.’']*)(\.)\s+([a-z][\w’'-]*)")
    _LIST_RE = _LazyRe(r"^\s*(?:[-*+•]|\d{1,3}[.)]|[a-z][.)])\s")
    _FIRST_WORD_RE = _LazyRe(r"([a-z][\w’'-]*)")
    _DOT_LOWER_RE = _LazyRe(r"\.\s+[a-z]")

    def _lower_starts(self, doc: Document, protected) -> list[Finding]:
        out = []
        prev = ""  # previous line (stripped); "" = blank / start
        # the previous line stands alone: it came after a blank line or a line that ended a sentence
        # (a heading between paragraphs), not in the middle of a hard-wrapped sentence
        prev_alone = False
        after_code = False  # the last non-blank text was code: a lower-case line goes on with the sentence
        for _, s, e, raw in doc.iter_lines():
            line = raw.rstrip("\r")
            stripped = line.strip()
            if not stripped:
                prev, prev_alone = "", False
                continue
            if doc.in_code(s + len(line) - len(line.lstrip())):
                after_code = True
                prev, prev_alone = "", False
                continue
            # line start
            lead = len(line) - len(line.lstrip())
            # (a line opening with a quotation mark and a lower-case word is a
            # partial quotation, "“to save succeeding generations ...": not flagged)
            m = self._FIRST_WORD_RE.match(stripped) if "a" <= stripped[0] <= "z" else None
            if m and not self._LIST_RE.match(line) and not stripped.startswith(("|", ">")):
                word = m.group(1)
                ws = s + lead + m.start(1)
                last = prev.rsplit(None, 1)[-1].lower().strip("([{\"“‘'").rstrip(".") if prev else ""
                starts_block = (
                    (prev == "" and not after_code)
                    or (prev.endswith(_SENTENCE_ENDS) and last not in _ABBREV)
                    or (prev_alone and len(prev.split()) <= 12 and _title_like(prev))
                )
                if (starts_block and self._prose_line(stripped) and word.lower() not in _LOWER_OK
                        and not any(c.isupper() for c in word)  # macOS, iPhone, eBay
                        and not self._lower_name(word)
                        and not protected(ws, ws + len(word)) and not (prev.endswith("...") or prev.endswith("…"))):
                    out.append(self._lower_finding(word, ws))
            # inside the line, after . ! ?
            # (most lines have no ". x": one quick scan skips the slower pattern)
            for im in (self._INLINE_START_RE.finditer(line) if self._DOT_LOWER_RE.search(line) else ()):
                before, word = im.group(1), im.group(3)
                ws = s + im.start(3)
                if protected(s + im.start(), ws + len(word)):
                    continue
                b = before.lower().rstrip(".")
                if (b in _ABBREV or "." in b or len(b) <= 2 or not b.isalpha() or before.endswith("..")
                        or before[:1].isupper() and len(before) <= 5):
                    continue  # abbreviations: etc., U.S., 2s., Comm., Haer., nom.
                if word in _LOWER_OK or any(c.isupper() for c in word):
                    continue
                if line[im.start(2):im.start(2) + 3] in ("...",):
                    continue
                out.append(self._lower_finding(word, ws))
            prev_alone = prev == "" or prev.endswith(_SENTENCE_ENDS)
            prev = stripped
            after_code = False
        return out

    @staticmethod
    def _lower_name(word: str) -> bool:
        """A word that is no English word (orjson, urllib3, libxcrypt, pkgconf): the name of a
        program or package, written in lower case on purpose. Without the dictionary, any word
        with a digit."""
        w = word.lower().replace("’", "'")
        if any(c.isdigit() for c in w):
            return True
        dic = _dictionary()
        if dic is None:
            return False
        if "-" in w:
            return not all(_known(p, dic) for p in w.split("-") if p)
        base = w.split("'", 1)[0]
        return len(base) >= 3 and not _known(base, dic)

    @staticmethod
    def _prose_line(line: str) -> bool:
        """A line of prose: several words, no code punctuation near the start."""
        words = line.split()
        if len(words) < 5:
            return False
        head = " ".join(words[:3])
        return not any(c in head for c in "=(){}[]<>/\\$_;`|")

    @staticmethod
    def _lower_finding(word: str, ws: int) -> Finding:
        return Finding(
            "TY102", f"sentence starts with lower-case ‘{word}’",
            ws, ws + len(word), 0.8, Fix(word[0].upper() + word[1:], title="capitalise"),
        )

    # -- TY103 ---------------------------------------------------------------
    def _proper_nouns(self, text: str, words: _Words, qmask: bytearray) -> list[Finding]:
        # capitalised forms standing alone in mid-sentence position: not after
        # . ! ? : or a line start, and not inside a multi-word name ("Supreme
        # Court", "Battle of Hastings", "New Year"), where common nouns and
        # adjectives are capitalised too. Keys are bases without "’s".
        # Only lower-case words whose capitalised form occurs (or brands) can
        # be reported, and only their capitalised forms need counting: the
        # per-occurrence work is limited to those (most texts have none).
        bases = _bases(words)
        lower = Counter(bases)  # occurrences of each base, any case
        # Capitalised forms (3+ letters, Capital then lower case) and the
        # lower-case words that have one, or are brands. ASCII words, nearly
        # all of them, go through C-level filters: for ASCII letters, istitle()
        # is the capitalised test and capitalize() the capitalised form; the
        # others take the general path.
        ascii_words = list(filter(str.isascii, lower))
        cap_any = {b for b in filter(str.istitle, ascii_words) if len(b) >= 3}
        lows = set(filter(str.islower, ascii_words))
        other_lows = []
        for base in filterfalse(str.isascii, lower):
            if len(base) < 3:
                continue
            if base.islower():
                other_lows.append(base)
            elif base[0].isupper() and base[1:].islower():
                cap_any.add(base)
        # (a capitalised form in cap_any has 3+ letters, and so do the brands)
        cands = {c.lower() for c in set(map(str.capitalize, lows)) & cap_any} | (lows & _BRANDS.keys())
        cands.update(b for b in other_lows if b in _BRANDS or b[0].upper() + b[1:] in cap_any)
        if not cands:
            return []
        # A word that is neither a brand nor on the always-capitalised list
        # needs its capitalised form standing alone at least twice and more
        # often than the lower-case form (below); with fewer capitalised
        # occurrences in all ("The" beside "the") it cannot get there, and
        # name particles never do: drop them before counting occurrences.
        always, ambiguous = _proper_nouns_list()
        cands = {
            b for b in cands
            if b not in _LOWER_OK and (
                b in _BRANDS or b in always
                or (lower[b[0].upper() + b[1:]] >= 2 and lower[b[0].upper() + b[1:]] > lower[b])
            )
        }
        if not cands:
            return []
        need = {b[0].upper() + b[1:] for b in cands} & cap_any
        cap_alone: Counter[str] = Counter()
        for i in compress(range(len(bases)), map(need.__contains__, bases)):
            base = bases[i]
            s, e, w = words[i]
            j = s - 1
            while j >= 0 and text[j] in " \t\"“‘'([":
                j -= 1
            if j < 0 or text[j] in ".!?:;\n-–—":
                continue  # sentence start or inside a hyphenated compound
            if _in_name(text, words, i, -1) or (base == w and _in_name(text, words, i, 1)):
                # (a possessive ends a name: "China’s DeepSeek" is China alone)
                continue
            cap_alone[base] += 1
        out = []
        # (lower-case words never capitalised in this text have nothing to be compared with)
        for i in compress(range(len(bases)), map(cands.__contains__, bases)):
            (s, e, w), base = words[i], bases[i]
            if text[s - 1:s] == "-" or text[e:e + 1] == "-" or qmask[s]:
                continue  # "proto-languages", "anti-christian"; a cited word in quotes
            if base in _LOWER_OK:
                continue  # name particles: ibn, al, de, van, von
            brand = _BRANDS.get(base)
            if brand:
                if text[e:e + 1] in ("-", "/", ".", "_") and text[e + 1:e + 2].isalnum():
                    continue  # part of an identifier or path
                out.append(Finding(
                    "TY103", f"‘{base}’ is the brand ‘{brand}’ written in lower case",
                    s, s + len(base), 0.85, Fix(brand, title=f"write ‘{brand}’"),
                ))
                continue
            cap = base[0].upper() + base[1:]
            n_cap, n_low = cap_alone.get(cap, 0), lower[base]
            if base in always:
                # a name that is never an ordinary word: the text capitalising
                # it once anywhere (any position) is enough evidence
                if cap not in cap_any:
                    continue
                conf = 0.85
            else:
                # evidence for other words: capitalised standing alone at least
                # twice, and more often than in lower case (the lower-case count
                # includes the slips: seed 001 has China 5 times, china 3 times)
                if not (n_cap >= 2 and n_cap > n_low):
                    continue
                if base in ambiguous:
                    conf = 0.7
                else:
                    # any other word only when it is no ordinary English word
                    # (a company or a person: "huawei" beside "Huawei"); eagle/Eagle,
                    # native/Native, liberty/Liberty are ordinary words
                    dic = _dictionary()
                    if base in _AMBIGUOUS or dic is None or not base.isascii() or _known(base, dic):
                        continue  # (non-ASCII: foreign words such as hôtel, musée)
                    conf = 0.7
            # a name that is also an ordinary word (turkey, china, pacific, catholic) may be
            # meant as the word ("roast turkey"): capitalising it can change the meaning.
            # (Not the dictionary: it holds names too, london and youtube beside turkey.)
            safe = base not in ambiguous and base not in _AMBIGUOUS
            out.append(Finding(
                "TY103",
                f"‘{base}’ is written ‘{cap}’ elsewhere in this text; a proper noun in lower case",
                s, s + len(base), conf, Fix(cap, safe=safe, title=f"write ‘{cap}’"),
                {"capitalised_alone": n_cap, "lower": n_low},
            ))
        return out

    # -- TY104 ---------------------------------------------------------------
    def _spelling(self, text: str, words: _Words, qmask: bytearray) -> list[Finding]:
        # The tests that need only the word run once per distinct word (the
        # dictionary ones included), the positional ones only for the few
        # unknown words left.
        ws = words.ws
        counts: Counter[str] = Counter(map(str.lower, ws))
        m = self.options.min_spell_length
        # (ASCII words cannot hold "’")
        lex = [w for w in filter(str.isascii, filter(str.islower, set(ws))) if len(w) >= m and "'" not in w
               and counts[w] <= 1]
        if not lex:
            return []
        dic = _dictionary()
        if dic is None:
            return []
        unknown = {w for w in lex if not (w in dic or w in _LOWER_OK or w in _BRANDS or any(v in dic for v in _variants(w)))}
        if not unknown:
            return []
        out = []
        capitalised = None
        for i in compress(range(len(ws)), map(unknown.__contains__, ws)):
            s, e, w = words[i]
            # glued to a hyphen, digit, dot-identifier or underscore: part of a compound or code
            if text[s - 1:s] in ("-", ".", "_", "/", "]", "[") or text[e:e + 1] in ("-", "_", "/") or \
                    (text[e:e + 1] == "." and text[e + 1:e + 2].isalnum()):
                continue
            # after a capitalised word: a binomial ("Taricha granulosa"), a
            # foreign name ("Société de biologie") or a title
            pm = _PREV_WORD_RE.search(text, max(0, s - 40), s)
            if pm and pm.group(1)[0].isupper():
                continue
            # short quotations are usually cited terms, often foreign ("in situ",
            # "reductio ad absurdum", "afer")
            if qmask[s]:
                continue
            # a capitalised form elsewhere in the text means a name written in lower case (TY103's job)
            if capitalised is None:
                capitalised = _Capitalised(text, m)
            if w.capitalize() in capitalised:
                continue
            sug = _suggest(w, dic)
            if sug is None:
                continue
            best, conf = sug
            # "occured", "begining", "untill", "noticable" look like inflections or
            # prefixed forms of real words ("occur"+"ed", "un"+"till"); a very common
            # word one doubled/swapped letter away outweighs that reading
            if _known(w, dic) and not (_edit_kind(w, best) in ("double", "swap") and int(dic[best]) >= 5_000_000):
                continue
            out.append(Finding(
                "TY104", f"‘{w}’ is not an English word; did you mean ‘{best}’?",
                s, e, conf, Fix(best, safe=False, title=f"replace with ‘{best}’"), {"suggestion": best},
            ))
        return out

    # -- TY105 ---------------------------------------------------------------
    # (possessive: a shorter first word would be followed by a letter, never by a space)
    _DOUBLE_RE = _LazyRe(r"\b([^\W\d_]++)([ \t]+|[ \t]*\n[ \t]*)(\1)\b", re.IGNORECASE)
    # grammatical or deliberate doubles (that that, had had, what it is is,
    # very very, bye bye ...)
    _DOUBLE_OK = {
        "that", "had", "is", "was", "do", "does", "did", "can", "very", "really", "so", "no", "yes", "yeah",
        "ha", "hah", "haha", "bye", "knock", "tut", "chop", "pooh", "night", "hush", "now", "there", "well", "ok",
        "okay", "oh", "ah", "boo", "bla", "blah", "la", "na", "dum", "tsk", "go", "come", "far", "more", "again",
        "over", "round", "on", "and", "many", "long", "hip", "bang", "boom", "tick", "tock", "ding", "dong",
        "choo", "yum", "hey", "bow", "wow", "hmm", "mm", "uh", "um", "er", "ho", "hee", "tee", "ta", "twenty",
        "sorry", "please", "help", "run", "stop", "wait", "why", "what", "who", "murmur", "bonbon", "couscous",
        "tartar", "pawpaw", "dodo", "tom", "yo", "cha", "cancan", "mahi", "bora", "walla", "baden", "sing", "beep",
        "little", "slowly", "quickly", "her",
        # a particle then a preposition or pronoun ("comes in in the morning",
        # "as I read it it seemed", "I told you you were wrong"): Gutenberg fiction
        "in", "it", "you", "up", "off", "down", "about", "through", "around", "crunch", "never", "ever", "out", "high", "low", "deep", "bit", "step", "by",
    }

    def _doubles(self, text: str, protected) -> list[Finding]:
        out = []
        for m in self._DOUBLE_RE.finditer(text):
            w1, w2 = m.group(1), m.group(3)
            if w1.lower() in self._DOUBLE_OK or protected(m.start(), m.end()):
                continue
            before = text[m.start() - 1:m.start()]
            if before in ("-", "’", "'") or before.isdigit() or text[m.start() - 2:m.start()].rstrip().isdigit():
                continue  # "swearing-in in", "5 in in diameter", "ag’in in"
            if text[m.end():m.end() + 1] in ("-", "—", "–"):
                continue  # "to to-day", a stammer "but but—"
            if w2[0].isupper() or (w1[0].isupper() and w1.lower() not in _FUNCTION_WORDS):
                continue  # names: "Sirhan Sirhan", "Bora Bora", "Duran Duran"
            if len(w1) == 1 and w1.lower() not in ("a", "i"):
                continue  # "x x", enumerations
            if w1.lower() not in _FUNCTION_WORDS:
                dic = _dictionary()
                if dic is not None and w1.lower() not in dic:
                    continue  # "cristatus cristatus": Latin trinomials, foreign words
            out.append(Finding(
                "TY105", f"‘{w1.lower()}’ is written twice in a row",
                m.start(), m.end(), 0.9 if w1.lower() in _FUNCTION_WORDS else 0.7,
                Fix(w1, title="remove the repeated word"),
            ))
        return out


_FUNCTION_WORDS = set(
    """a an the of to in on at by for from with into onto about as and or but nor if then than when which who
    whom whose what where why how this these those it its he she they we you i his her their our my your be been
    are were will would could should shall must might have has not""".split()
)


_CONNECT = {
    "of", "the", "de", "des", "for", "and", "la", "le", "les", "du", "von", "van", "der", "del", "di", "da", "on",
    "upon", "in", "y", "e", "al", "el",
}


class _Capitalised:
    """``word in _Capitalised(text)`` is ``word in text`` for a capitalised ASCII word
    ("Necesary") in O(log n), after one pass over the text (``in text`` for every
    unknown word of a multi-MB document was quadratic).

    Such a word occurs where a capital letter starts a run of lower-case ASCII letters
    that begins with the word, so the distinct runs, sorted, are searched for one
    starting with it. Runs shorter than ``min_len`` hold no word worth looking up.

    >>> "Cafe" in _Capitalised("MyCafeteria.", 2), "Cafe" in _Capitalised("Caf e", 2)
    (True, False)
    """

    def __init__(self, text: str, min_len: int) -> None:
        self.runs = sorted(set(re.findall(rf"[A-Z][a-z]{{{max(min_len - 1, 0)},}}", text)))

    def __contains__(self, word: str) -> bool:
        i = bisect_left(self.runs, word)
        return i < len(self.runs) and self.runs[i].startswith(word)


def _in_name(text: str, words: _Words, i: int, step: int) -> bool:
    """Whether word i has a capitalised neighbour in direction ``step`` (-1 or
    1), directly or across connectors ("Sea of Tranquility"), separated only by
    single spaces."""
    j = i
    for _ in range(3):
        k = j + step
        if not 0 <= k < len(words):
            return False
        left, right = (words[j], words[k]) if step == 1 else (words[k], words[j])
        if text[left[1]:right[0]] not in (" ", "\u00a0"):
            return False
        w = words[k][2]
        if w[:1].isupper() or w[:1].isdigit():
            return True
        if w.lower() not in _CONNECT:
            return False
        j = k
    return False


# a possessive or clitic to the end of a word, for _bases: at the first "’" or,
# in a word without one, at the first "'" (as _base); words are joined by NULs
_CLITIC_RE = _LazyRe(r"’[^\x00]*|'[^\x00’]*(?=\x00|\Z)")


def _bases(words: _Words) -> list[str]:
    """_base of every word, with one substitution over all of them."""
    ws = words.ws
    joined = "\x00".join(ws)
    if "’" not in joined and "'" not in joined:
        return ws
    return _CLITIC_RE.sub("", joined).split("\x00")


def _base(word: str) -> str:
    """The word without a possessive or clitic: "China’s" -> "China"."""
    i = word.find("’")
    if i == -1:
        i = word.find("'")
    return word if i == -1 else word[:i]


def _title_like(line: str) -> bool:
    """A heading-like line: no final punctuation and every content word capitalised."""
    if line.endswith((".", ",", ";", ":", "!", "?")):
        return False
    words = [w for w in re.findall(r"[\w’'&-]+", line) if w.lower() not in _FUNCTION_WORDS]
    return bool(words) and all(w[0].isupper() or w[0].isdigit() for w in words)
