"""Names as a matcher compares them: case, punctuation, diacritics and transliterations ignored.

Arabic names reach us in many Latin spellings (Mohammed, Muhammad, Mohamed), with the article
and the `Abd` compounds written apart, hyphenated or joined (Al-Mansouri, Al Mansouri,
Almansouri; Abdul Rahman, Abdulrahman). `name_key` maps each of them onto one canonical token,
so two spellings of one name compare equal and every comparator sees the same words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Each group lists spellings of one name; the first is the canonical token. Only spellings that
# are the same name in Arabic are grouped: Ahmed and Mohammed stay different names.
_SPELLINGS: tuple[tuple[str, ...], ...] = (
    ("mohammed", "muhammad", "mohamed", "mohammad", "muhammed", "mohamad", "mhd"),
    ("ahmed", "ahmad", "ahmet"),
    ("mahmoud", "mahmud", "mahmood"),
    ("abdulrahman", "abdelrahman", "abdalrahman", "abdurrahman", "abdulrahmane"),
    ("abdullah", "abdallah", "abdulla", "abdalla"),
    ("abdulaziz", "abdelaziz", "abdalaziz"),
    ("khalid", "khaled"),
    ("omar", "umar"),
    ("youssef", "yousef", "yusuf", "youssif", "yousif", "yusef"),
    ("hussein", "hussain", "husain", "hossein", "husein"),
    ("hassan", "hasan"),
    ("saeed", "said", "saed"),
    ("rashid", "rashed"),
    ("majid", "majed"),
    ("faisal", "faysal", "feisal"),
    ("tariq", "tareq", "tarek", "tarik"),
    ("ibrahim", "ebrahim"),
    ("mansour", "mansoor", "mansur"),
    ("obaid", "obaidullah", "ubaid"),
    ("fatima", "fatma", "fatimah", "fatemah"),
    ("aisha", "aysha", "ayesha", "aicha"),
    ("mariam", "maryam", "miriam"),
    ("noura", "noora", "nora", "nura"),
    ("sara", "sarah"),
    ("hessa", "hissa"),
    ("latifa", "latifah"),
    ("layla", "leila", "laila", "leyla"),
    ("huda", "hoda"),
    ("mona", "muna"),
    ("hashimi", "hashemi"),
    ("nuaimi", "naimi"),
    ("mazrouei", "mazroui", "mazrouie"),
    ("dhaheri", "daheri", "dhahiri"),
    ("khoury", "khouri", "khuri"),
    ("saleh", "salih"),
    ("nasser", "nasir", "naser"),
)
CANONICAL: dict[str, str] = {spelling: group[0] for group in _SPELLINGS for spelling in group}
# The article and the `Abd` (servant of) prefix belong to the word after them.
_JOINED_PREFIXES = frozenset({"al", "el", "abd", "abdul", "abdel", "abu", "bin", "ibn", "bint"})
# Written apart, the article is the same word however it is spelled.
_ARTICLE = {"el": "al"}
# The shortest word after a joined article that is read as a name of its own.
_ARTICLE_REST = 4
_SEPARATORS = re.compile(r"[\s\-_.,'’`()/]+")
_NOT_WORD = re.compile(r"[^0-9a-z\u0600-\u06ff ]")


def fold(text: str) -> str:
    """Casefolded, without diacritics (é -> e), punctuation turned into spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub("", _SEPARATORS.sub(" ", stripped)).strip()


@lru_cache(maxsize=200_000)
def name_key(raw: str) -> str:
    """The canonical words of a name, in their order, one space apart; '' for no name.

    `ALI HASSAN`, `Ali  Hassan.` and `ali hasan` all give `ali hassan`.
    """
    words = fold(raw).split()
    joined: list[str] = []
    pending = ""
    for word in words:
        if word in _JOINED_PREFIXES:
            pending += _ARTICLE.get(word, word)
            continue
        joined.append(_canonical(pending + word) if pending else _canonical(word))
        pending = ""
    if pending:
        joined.append(pending)
    return " ".join(joined)


def _canonical(word: str) -> str:
    if word in CANONICAL:
        return CANONICAL[word]
    # A joined article or `Abd` compound: canonicalise the part after it too. Written apart,
    # the article always joins as `al`; joined, `el` is read as the article before a known name
    # or a word long enough to be one, so `Elsayed` and `El Sayed` agree while `Elena` and
    # `Ellen` stay themselves.
    for prefix in ("al", "el"):
        rest = word[len(prefix) :]
        if word.startswith(prefix) and (rest in CANONICAL or len(rest) >= _ARTICLE_REST):
            return "al" + CANONICAL.get(rest, rest)
    for prefix in ("abdul", "abdel", "abdal", "abd"):
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) > 2:
            return CANONICAL.get("abdul" + rest, "abdul" + rest)
    return word


# Letters that Latin spellings of one Arabic sound trade for each other.
_SOUNDS = (("kh", "k"), ("q", "k"), ("dh", "z"), ("th", "t"), ("sh", "s"), ("ch", "s"), ("ph", "f"))
_VOWELS = re.compile(r"(?<!^)[aeiouy]+")
_DOUBLED = re.compile(r"(.)\1+")
_LEADING = {"o": "u"}


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """A word's consonants as a transliteration keeps them: `Mohammed`, `Muhamad` and `Mohemmed`
    all give `mhmd`, spellings no table lists included. Vowels after the first letter, doubled
    letters and a final `h` go; sounds written two ways are written one way."""
    text = word.casefold()
    for written, sound in _SOUNDS:
        text = text.replace(written, sound)
    # A leading vowel stays, `Omar` and `Amr` being two names.
    text = _DOUBLED.sub(r"\1", _VOWELS.sub("", text))
    text = text[:-1] if len(text) > 2 and text.endswith("h") else text
    # But the short vowel Latin writes as `o` or `u` is one, before two consonants or more:
    # `Omar` and `Umer`, `Osman` and `Usman`; while `Otto` and `Ute`, `Ole` and `Ula`, with
    # little else to tell them apart, stay two names.
    if len(text) >= 3 and text[0] in _LEADING:
        text = _LEADING[text[0]] + text[1:]
    return text
