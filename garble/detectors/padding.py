"""Padding: text that is not part of the document's content.

Scrapers and converters leave material around (and inside) the article body:
runs of blank lines, share/subscribe prompts, advertisement markers, cookie
banners, copyright footers, "See also" lists of unrelated headlines, image
captions stranded between the title and the body, sentences whose links were
stripped ("you can visit OpenAI, Google DeepMind, and Microsoft."), the same
boilerplate paragraph pasted twice, tracking links and navigation menus.

Every rule works on whole lines (only ``\\n`` ends a line) and skips fenced
code blocks. Spans are the flagged lines without their surrounding
whitespace, except PD101 whose span is the blank-line run itself.

Not flagged: short-line poems and song choruses (their lines are short and
either punctuated or lower-case, and choruses are short lines, below the
PD106 length floor), references lists (author/year entries, numbered
citations), ordinary bulleted lists, Markdown headings, and a short intro line
that ends with punctuation.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from garble.detectors.base import Detector, LazyRe as _LazyRe
from garble.document import Document
from garble.types import Assessment, Finding, Fix, Rule, Severity


# ---------------------------------------------------------------------------
# rules

RULES = (
    Rule(
        "PD101",
        "blank-line-padding",
        "Run of blank lines at the start, at the end or inside the text",
        Severity.INFO,
        weight=0.5,
        fixable="safe",
        doc=(
            "Flags more than one blank line at the start or at the end of the text, and more than two "
            "consecutive blank lines inside it (outside fenced code). Scrapers and templating leave such "
            "runs behind; they inflate the text and break paragraph detection downstream. The fix trims "
            "the run (to nothing at the start, to a single newline at the end, to one blank line inside). "
            "Not flagged: one blank line between paragraphs, two blank lines (common Markdown/code style), "
            "one final newline, blank lines inside fenced code, and runs inside the text of a Markdown or "
            "reStructuredText file (their renderers collapse a run into one paragraph break, so nothing "
            "a reader sees changes)."
        ),
        example="Last line of the article.\n\n\n\n\n\n",
    ),
    Rule(
        "PD102",
        "boilerplate-line",
        "A line of website furniture: share/follow/subscribe prompt, ad marker, cookie banner, footer",
        Severity.WARNING,
        weight=1.0,
        fixable="unsafe",
        doc=(
            "Flags a whole line that is a known piece of web-page furniture: advertisement markers "
            "('Advertisement', 'Story continues below'), share/follow/subscribe/newsletter prompts, "
            "cookie banners ('We use cookies ...'), copyright footers ('(c) 2019 ... All rights reserved'), "
            "'Click here to ...' and bare social-network or menu labels ('Facebook', 'Privacy Policy'). "
            "Such lines are not part of the content and mislead any model trained on the text. "
            "Not flagged: the same words inside an ordinary sentence ('Readers can subscribe to the "
            "paper for $5, the editor said.'), Markdown headings, and a label that is also an ordinary "
            "word or reply ('OK', 'Share', 'Help') in a tiny text (under 200 characters besides it) with no "
            "other furniture within two lines: a note that says 'ok' is not a web page; in Markdown and "
            "reStructuredText, copyright lines in a section headed License or Copyright (a README's "
            "licence section, where they are content, not a page footer)."
        ),
        example="Share this article on Facebook",
    ),
    Rule(
        "PD103",
        "related-links-list",
        "A 'See also' / 'Related' / 'Read more' list of headlines scraped with the article",
        Severity.WARNING,
        weight=1.5,
        fixable="unsafe",
        doc=(
            "Flags a heading such as 'See also', 'Related articles', 'Read more', 'You may also like' or "
            "'Most popular' followed by at least two headline-shaped lines (4-25 words, capitalised, no "
            "final full stop). The span is the heading and the list. These teaser lists link other "
            "stories; without their links they are just unrelated headlines in the text. "
            "Not flagged: a 'See also' list of short topic names (1-3 words, as on Wikipedia), "
            "a references list (entries with years, 'et al.', numbered citations), bulleted lists "
            "under other headings."
        ),
        example="See also\nMarkets Slide as Tech Stocks Tumble on Rate Fears\nFive Things to Know Before the Open",
    ),
    Rule(
        "PD104",
        "orphan-caption",
        "An image caption or photo credit left in the text by scraping",
        Severity.WARNING,
        weight=1.0,
        fixable="unsafe",
        doc=(
            "Flags (a) a short line directly after the title that has no final punctuation, is not a "
            "heading (not Title Case, not a Markdown heading), names someone or something (a run of "
            "capitalised words after the first word) and is followed by a body paragraph: the caption "
            "of a lead image whose image is gone; and (b) anywhere, a short line that is a photo credit "
            "('Photo: Jane Doe/Reuters', '(AP Photo/John Smith)', 'Image: Getty Images'). "
            "Not flagged: a subtitle or intro line that ends with punctuation, section headings, "
            "lines in the middle of the body, the second line of a poem."
        ),
        example=(
            "Markets Rally\n\nTraders on the floor of the New York Stock Exchange\n"
            "Stocks rose on Monday as investors cheered strong results from several large technology "
            "companies and a fall in bond yields."
        ),
    ),
    Rule(
        "PD105",
        "link-residue",
        "A sentence whose links were removed ('you can visit A, B and C.')",
        Severity.WARNING,
        weight=1.0,
        fixable="unsafe",
        doc=(
            "Flags a sentence that only made sense with its hyperlinks: an invitation to 'visit', "
            "'check out' or 'see' a list of two or more names and nothing else ('For more insights, you "
            "can visit OpenAI, Google DeepMind, and Microsoft.'), or a pointer to a link that is gone "
            "('Click here', 'read the full report here.', 'visit our website'). "
            "Not flagged: 'visit' followed by ordinary prose ('Tourists visit Paris and Rome in summer, "
            "when the weather is mild.'), a single place name ('He will visit Paris and Rome.' is a plain "
            "statement: the rule needs a for-more/you-can framing or a trailing 'here')."
        ),
        example="For more information, you can visit Reuters, Bloomberg, and the BBC.",
    ),
    Rule(
        "PD106",
        "repeated-paragraph",
        "The same long paragraph (line) appears more than once in the document",
        Severity.WARNING,
        weight=1.0,
        fixable="unsafe",
        doc=(
            "Flags the second and later copies of a line of at least 12 words that already appeared in "
            "the same document (compared after normalising case and whitespace): boilerplate pasted by "
            "a template or a scraper that followed the same block twice. A hard-wrapped paragraph is "
            "compared as a whole, not line by line. In Markdown and reStructuredText, where reference "
            "docs repeat a description on purpose (the same parameter of sibling functions), only a copy "
            "within a few paragraphs of the previous one is flagged. Not flagged: a song chorus or poem refrain (short lines, below the 12-word floor), "
            "table rows, fenced code."
        ),
        example=(
            "The Daily Courier has covered the city and the valley around it since the year the bridge opened.\n"
            "The council met on Tuesday.\n"
            "The Daily Courier has covered the city and the valley around it since the year the bridge opened."
        ),
    ),
    Rule(
        "PD107",
        "tracking-link",
        "A line that is only a tracking / aggregator link ('Source: https://news.google.com/rss/...')",
        Severity.WARNING,
        weight=1.0,
        fixable="unsafe",
        doc=(
            "Flags a line consisting of an optional label ('Source:', 'Via:', 'Link:') and a bare URL that "
            "is a tracking or redirect link: aggregator redirects (news.google.com/rss/articles, "
            "feedproxy), link shorteners, utm_/fbclid/gclid/oc= parameters, or an opaque token of 40+ "
            "characters. These are feed residue, not content. "
            "Not flagged: a URL inside a sentence, a plain readable URL in a references list."
        ),
        example="Source: https://news.google.com/rss/articles/CBMiWmh0dHBzOi8vd3d3LmV4YW1wbGUuY29tL25ld3MvYXJ0aWNsZQ?oc=5",
    ),
    Rule(
        "PD108",
        "navigation-menu",
        "A run of one-to-three-word Title Case lines: a site's navigation menu",
        Severity.WARNING,
        weight=1.0,
        fixable="unsafe",
        doc=(
            "Flags six or more consecutive lines of one to three words each, almost all in Title Case, "
            "without punctuation or list markers, or a run of three or more such lines made mostly of "
            "known menu labels ('Home', 'News', 'Sports', 'Contact Us'): a website menu flattened into "
            "the text. Not flagged: bulleted lists (they have markers), short-line poems (lower-case "
            "words, punctuation), Markdown headings, a 'See also' list of topics."
        ),
        example="Home\nNews\nSport\nBusiness\nOpinion\nContact Us",
    ),
)

_PUNCT_END = tuple('.!?:;,"”’\')')
#: PD102: a label that is also an ordinary word or reply (_ORDINARY_LABELS: "OK", "Share", "Help") is
#: page furniture only on a page: a text with at least this many characters on its other lines, or
#: other furniture within two lines. A tiny text that is just "ok" (a reply, a note) is content. Every
#: label line the rule hits on the even (tuning) half of the article-extraction benchmark, pages and
#: extractor outputs, has 542 or more.
PAGE_MIN_CHARS = 200

# ---------------------------------------------------------------------------
# PD102 vocabulary
#
# Whole-line labels: a line consisting only of one of these (after stripping
# list markers, surrounding punctuation and a Markdown link's URL) is page
# furniture. Chosen from the most frequent non-article lines of the
# article-extraction benchmark (tuned on even page ids only), restricted to
# labels that cannot be a line of article prose on their own.
_LABELS = {
    # advertisement markers
    "advertisement", "advertisements", "advertising", "ad", "ads", "sponsored", "sponsored content",
    "paid content", "paid post", "promoted", "promoted content", "story continues below",
    "story continues below advertisement", "article continues below", "article continues below advertisement",
    "continue reading below", "continue reading", "scroll to continue with content", "advertise with us",
    "advertise", "skip advertisement", "remove ads",
    # share / follow / social
    "share", "share this", "share this article", "share this story", "share this post", "share article",
    "share on facebook", "share on twitter", "share on linkedin", "share on whatsapp", "share via email",
    "share via", "tweet", "tweet this", "pin it", "email", "e-mail", "print", "print this article", "copy link",
    "link copied", "follow us", "follow", "like us on facebook", "follow us on twitter", "follow us on facebook",
    "follow us on instagram", "connect with us", "facebook", "twitter", "instagram", "linkedin", "pinterest",
    "whatsapp", "youtube", "reddit", "flipboard", "tumblr", "tiktok", "telegram", "snapchat", "rss", "rss feed",
    "x (twitter)", "messenger", "sms",
    # subscription / account
    "subscribe", "subscribe now", "subscribe today", "subscribe here", "newsletter", "newsletters",
    "sign up", "sign up now", "sign in", "sign out", "log in", "login", "log out", "register", "my account",
    "create an account", "create account", "already a subscriber?", "subscriber login", "get the newsletter",
    "sign up for our newsletter", "subscribe to our newsletter", "join our newsletter",
    # comments / reading furniture
    "comments", "comment", "leave a comment", "post a comment", "view comments", "show comments",
    "read more", "read next", "read more:", "more", "load more", "see more", "show more", "view more",
    "back to top", "skip to content", "skip to main content", "skip to navigation", "jump to content",
    "back to main menu", "main menu", "menu", "close", "close menu", "open menu", "toggle navigation",
    "search", "search for:", "go", "submit",
    # footer links
    "privacy policy", "privacy", "privacy notice", "cookie policy", "cookies policy", "cookie settings",
    "manage cookies", "terms of use", "terms of service", "terms and conditions", "terms & conditions",
    "terms", "contact us", "contact", "about us", "about", "careers", "faq", "help", "sitemap", "site map",
    "accessibility", "do not sell my personal information", "do not sell my info", "your privacy choices",
    "ad choices", "adchoices", "corrections", "feedback", "learn more", "advert", "archives", "enewspaper",
    "e-edition", "print edition", "letters to the editor", "most popular", "most read", "trending",
    "share close extra sharing options", "logo", "ok", "got it", "accept", "i agree", "dismiss", "no thanks",
    "share this:", "like this:", "order reprints", "reprints", "print this page", "email this", "related", "tags", "tags:", "topics", "related topics", "filed under",
}

# Single generic words among the labels: weaker evidence (a lower confidence) ...
_GENERIC_WORDS = {"more", "close", "search", "go", "about", "contact", "help", "terms", "privacy", "follow", "comment",
                  "register", "print", "email", "share", "submit", "feedback"}
# ... and, with the answers of a cookie or consent dialog, the labels that are also what a person
# writes alone on a line ("ok", "got it"): they need a page around them (PAGE_MIN_CHARS).
_ORDINARY_LABELS = _GENERIC_WORDS | {"ok", "got it", "accept", "i agree", "dismiss", "no thanks"}

# Phrases that make a short line boilerplate wherever they occur in it.
# Each pattern is anchored to a phrase that article prose practically never
# uses (checked on the even-id half of the article-extraction benchmark and on
# the clean Wikipedia paragraphs).
# (Two patterns, one test: the phrases anchored at the start of the line are
# tried there only (``match``), the others anywhere (``search``); one pattern
# holding both made every position of every line try ~40 branches.)
_PHRASES_ANY = _LazyRe(
    r"""(?ix)
    \ball\ rights\ reserved\b                                  # copyright footer
    | \bwe\ use\ cookies\b | \bthis\ (?:web\s?)?site\ uses\ cookies\b   # cookie banners
    | \buses?\ cookies\ to\ (?:improve|give|ensure|enhance|provide|personali[sz]e)\b
    | \b(?:accept|allow|reject)\ (?:all\ )?cookies\b
    | \bby\ (?:continuing\ to\ (?:use|browse)|using)\ (?:this|our)\ (?:web\s?)?site\b
    | \bclick\ here\ (?:to|for)\b                                # click-here prompts
    | \bsign\ up\ for\ (?:our|the)\ \w+(?:\s\w+)?\ newsletters?\b
    | \bkeep\ an\ eye\ on\ your\ inbox\b
    | \ban\ error\ (?:has\ )?occurred\b.{0,40}\btry\ again\b
    | \bpost\ was\ not\ sent\b
    | \byour\ california\ privacy\ rights\b
    | \bdelivered\ to\ your\ inbox\b
    """
)
_PHRASES_START = _LazyRe(
    r"""(?ix)
      ^\s*(?:copyright\s*)?(?:©|\(c\))\s*(?:copyright\s*)?\d{4}  # "© 2019 Publisher"
    | ^\s*copyright\s+\d{4}\b
    | ^\s*click\ here\b                                          # click-here prompts
    | ^\s*(?:please\ )?(?:subscribe|sign\ up)\ (?:to|for)\ (?:our|the)\b.{0,60}\bnewsletter\b
    | ^\s*subscribe\ to\b
    | ^\s*follow\b.{0,80}\bon\ (?:facebook|twitter|instagram|linkedin|youtube|tiktok|threads|bluesky)\b
    | ^\s*(?:related|read\ more|read\ also|also\ read|see\ also|recommended|more\ from\ \w+)\s*:\s+\S   # one teaser link
    | ^\s*\d{4}-\d{2}-\d{2}t\d{2}:\d{2}(?::\d{2})?(?:z|[+-]\d{2}:?\d{2})?\s*$      # bare ISO timestamp
    | ^\s*get\ (?:our|the)\ (?:free\ )?\w*\s?newsletter\b
    | ^\s*(?:follow|like)\ us\ on\b
    | ^\s*share\ (?:this|on|via)\b(?:\s+\S+){0,5}\s*$(?<!\?)   # "Share this article" (not a question)
    | ^\s*\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\s*$   # "2 hours ago"
    | ^\s*(?:updated|published|posted|last\ updated|last\ modified|first\ published)\s*(?:on|at)?\s*:?\s*
        (?:\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun).{0,60}$   # timestamps
    | ^\s*\d+\s+comments?\s*$ | ^\s*leave\ a\ reply\b | ^\s*cancel\ reply\s*$
    | ^\s*(?:return|back)\ to\ top\s*$
    | ^\s*place\ an?\ (?:classified\ )?ad\s*$
    | ^\s*(?:get|sign\ up\ for)\ breaking\ news\ alerts\b | ^\s*got\ a\ (?:confidential\ )?news\ tip\b
    | ^\s*by\ submitting\ this\ form\b
    | ^\s*(?:story|article)\ continues\ (?:below|after)\b
    | ^\s*(?:scroll|continue)\ (?:down\ )?(?:to|reading)\b.{0,30}$
    | ^\s*(?:download|get)\ (?:the|our)\ (?:free\ )?(?:\w+\ )?app\b
    | ^\s*(?:you\ must\ be\ logged\ in|log\ in\ to\ (?:comment|continue))\b
    | ^\s*(?:this\ (?:article|story|content)\ is\ (?:only\ )?available\ to\ subscribers)\b
    | ^\s*subscribe\ (?:now|today)\b
    """
)

_LIST_MARKER_RE = _LazyRe(r"^\s*(?:[-*+•·▪►»]|\d{1,3}[.)])\s+")
_MD_LINK_RE = _LazyRe(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_HEADING_RE = _LazyRe(r"^\s{0,3}#{1,6}\s")
# PD102 in Markdown/RST: a section heading's underline (setext, RST) and the sections whose
# copyright lines are content (a README's licence section), not a scraped page footer
_UNDERLINE_RE = _LazyRe(r"^\s{0,3}([=\-~^\"'`#*+:.])\1{2,}\s*$")
_LICENCE_HEADING_RE = _LazyRe(r"licen[cs]|copyright", re.I)
_COPYRIGHT_LINE_RE = _LazyRe(r"^(?:copyright\b|©|\(c\))|\ball rights reserved\b")  # on _norm_label's lower case
_WORD_RE = _LazyRe(r"[^\W\d_][\w’'&.-]*", re.UNICODE)
# The characters for which str.isdigit() is true: \d (Unicode decimal digits,
# str.isdecimal()) plus the superscript, subscript, circled and other digits
# below (listed from the running interpreter's Unicode tables; a unit test
# checks the two sets agree).
_ISDIGIT_CLASS = (
    r"\d\u00b2-\u00b3\u00b9\u1369-\u1371\u19da\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c"
    r"\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788\u278a-\u2792\U00010a40-\U00010a43"
    r"\U00010e60-\U00010e68\U00011052-\U0001105a\U0001f100-\U0001f10a"
)
# a whole token (starting after a space or at the start) that holds a digit
_SKELETON_RE = _LazyRe(r"[\w\s’'-]+")  # PD103: what is left is a line's punctuation skeleton
_NOT_MENU_RE = _LazyRe(r"[:$€£¥₩%]|\d{2}")  # PD108: prices, times, numbers: not a menu label
_ANY_DIGIT_RE = _LazyRe(rf"[{_ISDIGIT_CLASS}]")
_DIGIT_TOKEN_RE = _LazyRe(rf"(?<![^ ])[^ ]*[{_ISDIGIT_CLASS}][^ ]*")

# ---------------------------------------------------------------------------
# PD103: headings that introduce teaser lists. Matched against the whole line
# (trailing colon allowed). "Further reading" is deliberately absent: on
# Wikipedia-like text it introduces a real bibliography.
_RELATED_HEADING_RE = _LazyRe(
    r"""(?ix)^\s*(?:\#{1,6}\s*)?(?:
      see\ also | related | related\ (?:articles?|stories|posts?|news|content|coverage|reading|links|topics)
    | read\ more | read\ next | read\ also | also\ read | more\ from\ [\w\s’'&.-]{1,40} | more\ stories
    | more\ news | more\ on\ this\ (?:story|topic) | you\ (?:may|might)\ also\ (?:like|be\ interested\ in)
    | recommended(?:\ for\ you|\ reading|\ stories|\ articles)? | most\ (?:read|popular|viewed|shared)
    | trending(?:\ now|\ stories)? | popular\ (?:now|stories|posts) | editor[’']?s\ picks | top\ stories
    | latest\ (?:news|stories|articles) | don[’']t\ miss | in\ case\ you\ missed\ it | what\ to\ read\ next
    )\s*:?\s*$"""
)
# A references entry: a year in brackets, "et al.", a numbered [1] citation, a DOI,
# pages "pp." or an ISBN. Lists whose lines look like this are bibliographies.
_REFERENCE_RE = _LazyRe(r"\(\d{4}[a-z]?\)|\bet al\.|^\s*\[\d+\]|\bdoi:|\bpp?\.\s*\d|\bISBN\b|\b(?:19|20)\d{2}[a-z]?\.\s", re.I)

# ---------------------------------------------------------------------------
# PD104: photo credits. A short line carrying one of these is a caption.
_CREDIT_RE = _LazyRe(
    r"""(?x)
    \((?:AP|AFP|Reuters|Getty|EPA|PA|Xinhua)?\s*Photo(?:s)?\s*[:/]
    | ^\s*\(?(?:Photo|Photograph|Image|Picture|Pic|Credit|Photo\ credit|Image\ credit|Source\ image)s?\s*(?:by)?\s*[:/]\s*\S
    | ^\s*\(?(?:Photo|Photograph|Image)\ by\ [A-Z]
    | /\s*(?:Getty\ Images|Reuters|AFP|AP|Bloomberg|EPA|Shutterstock|Alamy)\)?\s*$
    | \b(?:Getty\ Images|Shutterstock|Alamy\ Stock\ Photo|AP\ Photo|Reuters/[A-Z])\b
    """
)
_STOP = {
    "a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "to", "for", "by", "with", "from",
    "as", "vs", "vs.", "via", "into", "onto", "over", "per", "amid", "after", "before", "is", "are",
}

# ---------------------------------------------------------------------------
# PD105: link residue
_SENT_RE = _LazyRe(r"[^.!?]*(?:[.!?]+[\"”’)]?|$)")
_NAME = r"(?:the\ )?[A-Z][\w’'&.-]*(?:\ (?:[A-Z][\w’'&.-]*|of|of\ the|for|for\ the|and\ [A-Z][\w’'&.-]*|de|la|du))*"
# Every branch of _RESIDUE_RE needs one of these (case-sensitive) strings
# ("you can", "you may", a lead below, visit/see/check out + a possessive),
# or "click "/"tap " in any case, or "here" at the end of a sentence; lines
# with none are skipped without splitting them into sentences (_residue_possible).
_RESIDUE_LEADS = ("readers can", "please", "be sure to", "consider", "feel free to", "we recommend", "for more")
_RESIDUE_WHOSE = ("our", "their", "its", "the official", "the company")
_HERE_END_RE = _LazyRe(r"here[\s:]*(?:[.!?]|$)")
_CLICK_RE = _LazyRe(r"(?i:\b(?:click|tap)\ )")


def _residue_possible(line: str) -> bool:
    """False when no branch of _RESIDUE_RE can match any sentence of the line."""
    if "you " in line and ("you can" in line or "you may" in line):
        return True
    if any(k in line for k in _RESIDUE_LEADS):
        return True
    for verb in ("visit ", "see ", "check out "):
        if verb in line and any(verb + whose in line for whose in _RESIDUE_WHOSE):
            return True
    if "here" in line and _HERE_END_RE.search(line):
        return True
    if line.isascii():
        low = line.lower()  # (for ASCII, lower() is what IGNORECASE compares)
        return "click " in low or "tap " in low
    return bool(_CLICK_RE.search(line))


_RESIDUE_RE = _LazyRe(
    rf"""(?x)
    (?:\b(?:you\ can|you\ may|readers\ can|please|be\ sure\ to|consider|feel\ free\ to|we\ recommend|
        for\ more(?:\ [\w-]+){{0,4}},?)\ (?:\w+\ ){{0,2}}
       (?:visit(?:ing)?|check(?:ing)?\ out|see|seeing|explore|exploring|head\ (?:over\ )?to|refer\ to|go\ to|browse)\ 
       {_NAME}(?:,\ {_NAME})*,?\ (?:and|or)\ {_NAME}\s*[.!]\s*$)
    | (?i:\b(?:click|tap)\ (?:here|this\ link|the\ link\ below)\b)
    | (?:\b(?:visit|see|check\ out)\ (?:our|their|its|the\ official|the\ company[’']s)\ (?:official\ )?(?:website|web\ site|site|page|blog)\s*[.!]?\s*$)
    | (?:\b(?:read|see|find|view|download|access|watch|listen\ to)\ (?:the\ )?(?:full|complete|original|entire)?\s?
        (?:report|story|article|study|interview|statement|paper|list|video|episode|podcast|details|more)\ here\s*[.!:]?\s*$)
    | (?:(?:^\s*|\byou\ can\ |\byou\ may\ )(?:read|view|download|watch|listen\ to)\ (?:it|them)\ here\s*[.!:]?\s*$)
    | (?:\bcan\ be\ (?:read|found|viewed|downloaded|accessed|watched)\ (?:in\ full\ )?here\s*[.!:]?\s*$)
    | (?:\b(?:available|more\ information|more\ info|learn\ more|find\ out\ more|details)\ (?:is\ |are\ )?(?:available\ )?here\s*[.!:]\s*$)
    """
)

# ---------------------------------------------------------------------------
# PD107: tracking links
_TRACK_LINE_RE = _LazyRe(
    r"^\s*(?:[-*•]\s*)?(?:(?:source|via|link|url|original(?:\ article)?|read\ more|read\ the\ full\ (?:story|article)|"
    r"more|full\ story|article|from)\s*[:\-–—]\s*)?<?(https?://\S+?)>?\s*$",
    re.I,
)
_TRACKING_URL_RE = _LazyRe(
    r"""(?ix)
    ^https?://(?:news\.google\.com/(?:rss/)?articles/ | feedproxy\.google\.com/ | feeds\.feedburner\.com/
              | (?:www\.)?google\.com/url\? | t\.co/ | bit\.ly/ | ow\.ly/ | lnkd\.in/ | buff\.ly/ | dlvr\.it/
              | tinyurl\.com/ | trib\.al/ | fb\.me/ | apple\.news/ | flip\.it/ | l\.facebook\.com/ | rss\.)
    | [?&](?:utm_[a-z]+|oc|fbclid|gclid|mc_cid|mc_eid|cmpid|ncid|ocid|soc_src|soc_trk|smid|icid|__twitter_impression)=
    | /[A-Za-z0-9_-]{40,}(?:[?#]|$)      # opaque redirect token (base64 article ids are 60-200 chars)
    """
)

# ---------------------------------------------------------------------------
# PD108: navigation labels (the most frequent non-article one-to-three-word lines
# of the even-id half of the article-extraction benchmark, plus obvious kin).
_NAV_WORDS = {
    "home", "news", "business", "video", "videos", "politics", "opinion", "sports", "sport", "entertainment",
    "world", "tech", "technology", "health", "science", "travel", "features", "weather", "careers", "jobs",
    "real estate", "markets", "obituaries", "reviews", "lifestyle", "events", "classifieds", "media", "books",
    "international", "local", "tv", "food", "culture", "columnists", "cars", "autos", "photos", "economy",
    "editorials", "finance", "transportation", "music", "movies", "living", "crime", "education", "national",
    "arts", "style", "fashion", "podcasts", "u.s.", "us", "uk", "europe", "asia", "africa", "americas",
    "middle east", "australia", "china", "india", "markets", "money", "games", "puzzles", "crosswords",
    "magazine", "latest", "top stories", "most popular", "sections", "more", "all", "gallery", "galleries",
    "horoscopes", "comics", "letters", "blogs", "in pictures", "live", "shop", "deals", "coupons",
    "contact us", "about us", "subscribe", "newsletters", "advertise", "search", "menu", "close", "account",
    "sign in", "log in", "log out", "privacy policy", "terms of use", "help", "faq", "rss", "facebook", "twitter",
    "instagram", "linkedin", "youtube", "pinterest", "whatsapp", "email", "share",
}


def _unlink(s: str) -> str:
    """Markdown links replaced by their text ("[Home](/) " -> "Home ")."""
    # every link has "](": without it the substitution is the identity, and
    # most lines have no link
    return _MD_LINK_RE.sub(_link_text, s) if "](" in s else s


def _link_text(m: re.Match) -> str:
    return m.group(1)


def _digit_tokens(key: str) -> int:
    """Number of tokens of ``key`` (words joined by single spaces) holding a
    character for which ``str.isdigit()`` is true (one C-level scan)."""
    if not _ANY_DIGIT_RE.search(key):
        return 0  # most lines: one quick scan
    return len(_DIGIT_TOKEN_RE.findall(key))


def _norm_label(line: str) -> str:
    s = _unlink(line)
    s = _LIST_MARKER_RE.sub("", s)
    s = s.strip().strip("|•·-–—*_>»«►[]()").strip()
    # (str.split() and the regular expression \s agree on what whitespace is)
    return " ".join(s.split()).lower()


def _words(s: str) -> list[str]:
    return _WORD_RE.findall(s)


def _is_title_case(s: str) -> bool:
    """Every content word capitalised (or a number): headings and headlines."""
    words = [w for w in re.findall(r"[\w’'&.-]+", s) if w.lower() not in _STOP]
    if not words:
        return False
    return all(w[0].isupper() or w[0].isdigit() for w in words)


def _cap_ratio(s: str) -> float:
    words = [w for w in re.findall(r"[\w’'&.-]+", s) if w.lower() not in _STOP]
    if not words:
        return 0.0
    return sum(1 for w in words if w[0].isupper() or w[0].isdigit()) / len(words)


def _headline(line: str) -> bool:
    """A news headline: 4-16 words, starts with a capital, digit or quote, no
    final full stop/comma/colon, no list marker, at least half the content words
    capitalised, not a references entry."""
    item = _unlink(line).strip()
    if _LIST_MARKER_RE.match(line) and not _MD_LINK_RE.search(line):
        return False
    if _MD_HEADING_RE.match(line):
        return False
    w = item.split()
    if not 4 <= len(w) <= 16 or item.endswith((".", ",", ";", ":", "…")):
        return False
    if not (item[0].isupper() or item[0].isdigit() or item[0] in "“\"‘'"):
        return False
    if _REFERENCE_RE.search(item) or re.search(r"\s(?:--|–|—|\|)\s|\t", item):
        return False  # references; schedules and tables ("June 9 -- Arena, City")
    if sum(1 for t in w if any(c.isdigit() for c in t)) > 1:
        return False  # score tables, price lists
    return _cap_ratio(item) >= 0.5


def _strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t\r\ufeff":
        s += 1
    while e > s and text[e - 1] in " \t\r":
        e -= 1
    return s, e


@dataclass(frozen=True)
class PaddingOptions:
    #: blank lines allowed at the start / end of the text before PD101 fires
    max_edge_blank_lines: int = 1
    #: consecutive blank lines allowed inside the text before PD101 fires
    max_inner_blank_lines: int = 2
    #: minimum words of a line for PD106 (short choruses stay below it)
    repeated_min_words: int = 12


class Padding(Detector):
    family = "padding"
    prefix = "PD"
    rules = RULES
    Options = PaddingOptions
    # One strong finding (confidence 0.9, weight 1) in a 1,000-character text
    # halves the family score: a single boilerplate line in a short article is
    # already substantial padding.
    half_point = 1.0
    weight = 0.5

    def assess(self, doc: Document, enabled: frozenset[str]) -> Assessment:
        text = doc.text
        opts: PaddingOptions = self.options  # type: ignore[assignment]
        in_code = doc.in_fenced_block

        # non-blank lines (number, start, end) with spans stripped, outside code
        lines: list[tuple[int, int, int]] = []
        for n, (s, e) in enumerate(doc.lines):
            if text[s:e].strip() and not in_code(s):
                ss, ee = _strip_span(text, s, e)
                lines.append((n, ss, ee))

        findings: list[Finding] = []
        if "PD101" in enabled:
            findings += self._blank_runs(doc, opts)
        claimed = bytearray(len(text) + 1)  # characters already claimed by a stronger rule

        def claim(s: int, e: int) -> None:
            claimed[s:e] = b"\x01" * (e - s)

        def free(s: int, e: int) -> bool:
            return claimed.find(1, s, e) < 0

        if "PD103" in enabled:
            for f in self._related_lists(text, lines):
                findings.append(f)
                claim(f.start, f.end)
        if "PD107" in enabled:
            for _, s, e in lines:
                m = _TRACK_LINE_RE.match(text[s:e])
                if m and _TRACKING_URL_RE.search(m.group(1)) and free(s, e):
                    url = m.group(1)
                    findings.append(Finding(
                        "PD107",
                        f"line is only a tracking/redirect link ({url[:40]}{'…' if len(url) > 40 else ''}), feed residue rather than content",
                        s, e, 0.9, Fix("", safe=False, title="remove the tracking-link line"),
                    ))
                    claim(s, e)
        if "PD108" in enabled:
            for f in self._nav_menus(text, lines):
                if free(f.start, f.end):
                    findings.append(f)
                    claim(f.start, f.end)
        if "PD102" in enabled:
            page_chars = sum(e - s for _, s, e in lines)

            def page_around(k: int, s: int, e: int) -> bool:
                """A page for an ordinary-word label: enough other text, or furniture that is not
                itself an ordinary word within two lines ("ok" after a cookie banner)."""
                if page_chars - (e - s) >= PAGE_MIN_CHARS:
                    return True
                for j in (k - 2, k - 1, k + 1, k + 2):
                    if 0 <= j < len(lines):
                        _, sj, ej = lines[j]
                        if not free(sj, ej):
                            return True
                        g = self._boilerplate(text, sj, ej)
                        if g is not None and not g.data.get("ordinary"):
                            return True
                return False

            licence = _licence_sections(text, lines) if doc.markup != "text" else None
            for k, (_, s, e) in enumerate(lines):
                if not free(s, e):
                    continue
                f = self._boilerplate(text, s, e)
                if f is None or (f.data.get("ordinary") and not page_around(k, s, e)):
                    continue
                if licence is not None and licence[k] and _COPYRIGHT_LINE_RE.search(_norm_label(text[s:e])):
                    continue  # "Copyright (c) 2020 Foo Inc." under a README's License heading is content
                findings.append(f)
                claim(s, e)
        if "PD104" in enabled:
            # the title is the first line that is not already menu or furniture
            for f in self._captions(text, [ln for ln in lines if free(ln[1], ln[2])]):
                if free(f.start, f.end):
                    findings.append(f)
                    claim(f.start, f.end)
        if "PD105" in enabled:
            for _, s, e in lines:
                if not free(s, e):
                    continue
                f = self._residue(text, s, e)
                if f:
                    findings.append(f)
        if "PD106" in enabled:
            findings += [f for f in self._repeats(text, lines, opts, doc.markup != "text") if free(f.start, f.end)]
        findings.sort(key=lambda f: (f.start, f.end, f.code))
        return Assessment(tuple(findings))

    # -- PD101 ---------------------------------------------------------------
    def _blank_runs(self, doc: Document, opts: PaddingOptions) -> list[Finding]:
        text = doc.text
        spans = doc.lines
        blank = [not text[s:e].strip() for s, e in spans]
        out: list[Finding] = []
        content = [i for i, b in enumerate(blank) if not b]
        if not content:
            return out  # an empty or all-blank text: nothing to pad
        first, last = content[0], content[-1]
        # leading: lines 0..first-1 are blank
        if first > opts.max_edge_blank_lines:
            end = spans[first][0]
            out.append(Finding(
                "PD101", f"{first} blank lines before the text starts", 0, end,
                min(1.0, 0.5 + 0.1 * first), Fix("", title="remove the leading blank lines"),
                {"blank_lines": first},
            ))
        # trailing: lines after `last`. The final "\n" of the last line is
        # normal; every further line is a blank line (the last one may be an
        # empty string after a final "\n").
        trailing = len(spans) - 1 - last
        blank_after = trailing - (1 if not text[spans[-1][0]:spans[-1][1]] else 0)
        if blank_after > opts.max_edge_blank_lines:
            start = spans[last][1]
            out.append(Finding(
                "PD101", f"{blank_after} blank lines after the end of the text", start, len(text),
                min(1.0, 0.5 + 0.1 * blank_after), Fix("\n", title="trim the trailing blank lines"),
                {"blank_lines": blank_after},
            ))
        # inner runs (Markdown and reStructuredText render a run as one paragraph break)
        i = first if doc.markup == "text" else last
        while i < last:
            if blank[i]:
                j = i
                while blank[j]:
                    j += 1
                run = j - i
                if run > opts.max_inner_blank_lines and not doc.in_fenced_block(spans[i][0]):
                    s, e = spans[i][0], spans[j][0]
                    out.append(Finding(
                        "PD101", f"{run} consecutive blank lines inside the text", s, e,
                        min(1.0, 0.4 + 0.1 * run),
                        Fix("\r\n" if text[s:e].startswith("\r") else "\n", title="collapse to one blank line"),
                        {"blank_lines": run},
                    ))
                i = j
            else:
                i += 1
        return out

    # -- PD102 ---------------------------------------------------------------
    def _boilerplate(self, text: str, s: int, e: int) -> Finding | None:
        line = text[s:e]
        if _MD_HEADING_RE.match(line):
            return None
        if "](" not in line and len(line.split()) > 43:
            # without links, normalising removes at most three words (a list
            # marker, a stray bar or dash at each end): the label keeps over 40,
            # too long for a label (6 words at most) or a phrase line
            return None
        label = _norm_label(line)
        n_words = len(label.split())
        if label in _LABELS:
            # single generic words ("More", "Close", "Search") are weaker evidence
            conf = 0.6 if n_words == 1 and label in _GENERIC_WORDS else 0.85
            return Finding("PD102", f"‘{line.strip()[:60]}’ is a web-page label (menu, share button or ad marker), not content",
                           s, e, conf, Fix("", safe=False, title="remove the boilerplate line"),
                           {"label": label, "ordinary": label in _ORDINARY_LABELS})
        # phrase patterns apply to short lines only: long lines are prose that
        # may legitimately quote such a phrase (a story about cookie banners)
        if n_words <= 40 and (_PHRASES_START.match(label) or _PHRASES_ANY.search(label)):
            return Finding("PD102", f"‘{line.strip()[:60]}’ is scraped boilerplate (share/subscribe prompt, cookie banner or footer)",
                           s, e, 0.85, Fix("", safe=False, title="remove the boilerplate line"))
        return None

    # -- PD103 ---------------------------------------------------------------
    def _related_lists(self, text: str, lines: list[tuple[int, int, int]]) -> list[Finding]:
        out = []
        k = 0
        while k < len(lines):
            n, s, e = lines[k]
            if not _RELATED_HEADING_RE.match(_unlink(text[s:e])):
                k += 1
                continue
            items = []
            j = k + 1
            prev_n = n
            while j < len(lines):
                nj, sj, ej = lines[j]
                if nj - prev_n > 2:  # more than one blank line: the list ended
                    break
                item = _unlink(text[sj:ej])
                item = _LIST_MARKER_RE.sub("", item).strip()
                w = _words(item)
                # a headline: 4-25 words, starts with a capital or a digit,
                # no final full stop, not a reference entry
                if not (4 <= len(w) <= 25 and (item[:1].isupper() or item[:1].isdigit() or item[:1] in "“\"‘'")
                        and not item.endswith(".") and not _REFERENCE_RE.search(item)):
                    break
                items.append((sj, ej))
                prev_n = nj
                j += 1
            if len(items) >= 2:
                end = items[-1][1]
                out.append(Finding(
                    "PD103",
                    f"‘{text[s:e].strip()}’ list of {len(items)} headlines: scraped teaser links, not part of the article",
                    s, end, min(0.95, 0.7 + 0.05 * len(items)), Fix("", safe=False, title="remove the related-links list"),
                    {"items": len(items)},
                ))
                k = j
            else:
                k += 1
        out += self._headline_runs(text, lines, out)
        return out

    def _headline_runs(self, text: str, lines: list[tuple[int, int, int]], found: list[Finding]) -> list[Finding]:
        """Teaser lists without a heading: 4+ consecutive headline-shaped lines
        (no blank line between them) in a text that also has prose lines.

        Article bodies put a heading before a paragraph; four headlines in a
        row with no prose between them are a list of links to other stories.
        Poems (lower-case, punctuated lines), references (years, et al.) and
        bulleted lists (markers) do not match the headline shape.
        """
        if not any(len(text[s:e].split()) >= 25 for _, s, e in lines):
            return []  # no prose at all: a list-only document is not padding
        out = []
        heads = [_headline(text[s:e]) for _, s, e in lines]
        k = 0
        while k < len(lines):
            j = k
            while j < len(lines) and heads[j] and (j == k or lines[j][0] - lines[j - 1][0] == 1):
                j += 1
            if j - k < 4:
                k += 1
                continue
            firsts = Counter(text[s:e].split()[0].lower() for _, s, e in lines[k:j])
            # a list of varied headlines: no first word shared by a third of
            # the lines (schedules, tables and enumerations repeat their start)
            # and no shared punctuation skeleton ("England (Group A): 10th
            # appearance" lines are a structured list, not headlines)
            skel = Counter(_SKELETON_RE.sub("", text[s:e]) for _, s, e in lines[k:j])
            skel.pop("", None)
            structured = bool(skel) and max(skel.values()) * 2 >= (j - k)
            if max(firsts.values()) * 3 <= (j - k) + 1 and not structured:
                s, e = lines[k][1], lines[j - 1][2]
                if not any(s < f.end and f.start < e for f in found):
                    out.append(Finding(
                        "PD103", f"{j - k} headlines in a row with no text between them: a scraped list of links to other stories",
                        s, e, 0.6, Fix("", safe=False, title="remove the headline list"), {"items": j - k},
                    ))
                k = j
            else:
                k += 1
        return out

    # -- PD104 ---------------------------------------------------------------
    def _captions(self, text: str, lines: list[tuple[int, int, int]]) -> list[Finding]:
        out = []
        # (b) photo credits anywhere
        for _, s, e in lines:
            line = text[s:e]
            if len(line.split()) <= 25 and _CREDIT_RE.search(line) and not line.rstrip().endswith((".", "?", "!")) \
                    or (len(line.split()) <= 12 and re.match(r"^\s*\(?(?:Photo|Image|Picture)s?\s*(?:credit)?\s*:", line, re.I)):
                out.append(Finding("PD104", "photo credit / caption line left by scraping, not part of the text",
                                   s, e, 0.8, Fix("", safe=False, title="remove the caption line")))
        # (a) a caption straight after the title
        if len(lines) >= 3:
            (_, s0, e0), (_, s1, e1), (_, s2, e2) = lines[0], lines[1], lines[2]
            title, cand, body = text[s0:e0], text[s1:e1], text[s2:e2]
            wt, wc, wb = _words(title), _words(cand), _words(body)
            if (
                any(s1 < fe and fs < e1 for f in out for fs, fe in [(f.start, f.end)])
                or not (len(wt) <= 25 and not title.rstrip().endswith(".")) # a title: short, no full stop
                or not 3 <= len(wc) <= 20
                or cand.rstrip().endswith(_PUNCT_END)                     # punctuated: an intro line
                or re.search(r":\s|www\.|https?://|\|", cand)              # a label/value line, not a caption
                or _MD_HEADING_RE.match(cand) or _LIST_MARKER_RE.match(cand)
                or _is_title_case(cand)                                   # a heading / subtitle
                or len(wb) < 20                                           # the body must follow
            ):
                return out
            # caption signal: a name (two capitalised words in a row after the
            # first word), or an explicit photo word
            rest = wc[1:]
            name = any(a[0].isupper() and b[0].isupper() for a, b in zip(rest, rest[1:]))
            photo = re.search(r"\b(?:pictured|photo|photograph|seen|pose[sd]?|speaks|speaking|attends|arrives|"
                              r"file|left|right|center|centre)\b", cand, re.I)
            if name or photo:
                out.append(Finding(
                    "PD104",
                    "short unpunctuated line between the title and the body: probably the caption of an image that was removed",
                    s1, e1, 0.7 if name and photo else 0.6, Fix("", safe=False, title="remove the caption line"),
                ))
        return out

    # -- PD105 ---------------------------------------------------------------
    def _residue(self, text: str, s: int, e: int) -> Finding | None:
        line = text[s:e]
        if not _residue_possible(line) or _MD_HEADING_RE.match(line):
            return None
        for m in _SENT_RE.finditer(line):
            sent = m.group(0)
            if not sent.strip():
                continue
            if _RESIDUE_RE.search(sent):
                ss, ee = _strip_span(text, s + m.start(), s + m.end())
                while ss < ee and text[ss] == " ":
                    ss += 1
                return Finding(
                    "PD105",
                    "sentence points to links that are no longer there (link residue)",
                    ss, ee, 0.75, Fix("", safe=False, title="remove the sentence"),
                )
        return None

    # -- PD106 ---------------------------------------------------------------
    def _repeats(self, text: str, lines: list[tuple[int, int, int]], opts: PaddingOptions,
                 markup: bool = False) -> list[Finding]:
        seen: dict[str, tuple[int, int]] = {}  # key -> (line number, index among logical lines)
        out = []
        cands = []
        for k, (n, s, e) in enumerate(_logical_lines(text, lines, markup)):
            line = text[s:e]
            if line.lstrip().startswith("|"):
                continue  # table rows repeat cells legitimately
            toks = line.lower().split()
            if len(toks) < opts.repeated_min_words:
                continue
            cands.append((n, s, e, " ".join(toks), len(toks), k))
        # only a line whose key occurs again can repeat or be repeated: the
        # other tests run for those few
        counts = Counter(c[3] for c in cands)
        for n, s, e, key, n_toks, k in cands:
            if counts[key] < 2:
                continue
            # data rows (recipes, meal plans, schedules) repeat legitimately:
            # prose has few numbers
            if _digit_tokens(key) > 0.1 * n_toks:
                continue
            if key.rstrip("\"”’)").endswith("?"):
                continue  # an interview question asked of every guest
            if key in seen and markup and k - seen[key][1] > MARKUP_REPEAT_GAP:
                # documentation repeats on purpose (the same parameter described for sibling
                # functions, far apart): in Markdown/RST only a copy close to the last one counts
                seen[key] = (n, k)
            elif key in seen:
                first_line = seen[key][0]
                out.append(Finding(
                    "PD106",
                    f"this paragraph repeats line {first_line + 1} word for word",
                    s, e, 0.8, Fix("", safe=False, title="remove the repeated paragraph"),
                    {"first_line": first_line + 1},
                ))
            else:
                seen[key] = (n, k)
        return out

    # -- PD108 ---------------------------------------------------------------
    def _nav_menus(self, text: str, lines: list[tuple[int, int, int]]) -> list[Finding]:
        out = []

        def menu_item(s: int, e: int) -> bool:
            raw = text[s:e]
            item = _unlink(raw).strip()
            if not 1 <= len(item.split()) <= 3:
                return False  # (the cheapest test first: most lines are longer)
            if _MD_HEADING_RE.match(raw) or _LIST_MARKER_RE.match(raw):
                return False
            # menu labels are words: no colon, currency or numbers ("VIP : 60,000₩" is a price list)
            if _NOT_MENU_RE.search(item):
                return False
            return not item.endswith(_PUNCT_END[:6]) and (item[0].isupper() or item[0].isdigit())

        k = 0
        while k < len(lines):
            j = k
            while j < len(lines) and menu_item(lines[j][1], lines[j][2]) and (j == k or lines[j][0] - lines[j - 1][0] <= 2):
                j += 1
            run = lines[k:j]
            if run:
                items = [text[s:e] for _, s, e in run]
                titled = sum(_is_title_case(x) for x in items) / len(items)
                known = sum(_norm_label(x) in _NAV_WORDS for x in items) / len(items)
                if (len(run) >= 6 and titled >= 0.8) or (len(run) >= 3 and known >= 0.6):
                    out.append(Finding(
                        "PD108", f"{len(run)} one-to-three-word lines in a row: a website navigation menu",
                        run[0][1], run[-1][2], 0.8 if known >= 0.5 else 0.6,
                        Fix("", safe=False, title="remove the menu"), {"items": len(run)},
                    ))
                k = j
            else:
                k += 1
        return out


def _licence_sections(text: str, lines: list[tuple[int, int, int]]) -> list[bool]:
    """For each of ``lines`` (non-blank, of a Markdown or RST document): whether it lies in a section
    whose heading names a licence or copyright ("## License", "Copyright\\n=========", RST titles).
    ATX headings (``#``) and underlined titles (setext, RST; an overline is skipped) start sections."""
    out = [False] * len(lines)
    inside = False
    for k, (n, s, e) in enumerate(lines):
        line = text[s:e]
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        if _MD_HEADING_RE.match(line):
            inside = bool(_LICENCE_HEADING_RE.search(line))
        elif (nxt is not None and nxt[0] == n + 1 and not _UNDERLINE_RE.match(line)
              and _UNDERLINE_RE.match(text[nxt[1]:nxt[2]])):
            inside = bool(_LICENCE_HEADING_RE.search(line))
        out[k] = inside
    return out


def _logical_lines(text: str, lines: list[tuple[int, int, int]], markup: bool = False) -> list[tuple[int, int, int]]:
    """``lines`` with hard-wrapped prose joined: a line that stops mid-sentence (no final
    punctuation) goes on in the next line of its paragraph when that starts in lower case or, in
    Markdown and reStructuredText (``markup``), when the line is itself long (the wrap width).
    Scraped text (one paragraph per line, long unpunctuated headlines) keeps its lines; a Markdown
    paragraph wrapped at 80 columns becomes one line, so that two different paragraphs that share
    one wrapped line do not look like a repeat."""
    out: list[tuple[int, int, int]] = []
    joining = False
    for i, (n, s, e) in enumerate(lines):
        if joining:
            out[-1] = (out[-1][0], out[-1][1], e)
        else:
            out.append((n, s, e))
        joining = False
        if i + 1 < len(lines) and lines[i + 1][0] == n + 1:
            line = text[s:e].rstrip()
            nxt = text[lines[i + 1][1] : lines[i + 1][2]].lstrip()
            if line and line[-1] not in _LINE_ENDS and nxt and not nxt.startswith(("|", "-", "*", "+", "#", ">")):
                joining = nxt[0].islower() or (markup and len(line) >= 50 and (line[-1].isalnum() or line[-1] in ",;`"))
    return out


_LINE_ENDS = ".!?:\"”’')]"
#: in Markdown/RST, PD106 flags a paragraph only when at most this many lines or paragraphs lie
#: between it and its previous copy (a block pasted twice), not the same description far apart
MARKUP_REPEAT_GAP = 3
