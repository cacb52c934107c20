"""The ways real onboarding data goes wrong, applied to clean demo values: other spellings of a
legal suffix, letter case and whitespace noise, ``&`` written as ``and``, diacritics lost, typos,
country names written a dozen ways, Salesforce ids shortened to 15 characters or upper-cased.
"""

from __future__ import annotations

import numpy as np

from desktop_app.sandbox.demo_companies import Companies, folded_core
from desktop_app.sandbox.demo_vocabulary import LOCALES

# Other ways the same legal form gets written; "" = dropped altogether.
SUFFIX_VARIANTS: dict[str, tuple[str, ...]] = {
    "Inc": ("Inc.", "Incorporated", "INC", ""),
    "Inc.": ("Inc", "Incorporated", ""),
    "Incorporated": ("Inc", "Inc.", ""),
    "LLC": ("L.L.C.", "llc", "Llc", ""),
    "Corp": ("Corp.", "Corporation", ""),
    "Corporation": ("Corp", "Corp.", ""),
    "Co": ("Co.", "Company", ""),
    "LP": ("L.P.", ""),
    "LLP": ("L.L.P.", ""),
    "Ltd": ("Ltd.", "Limited", "LTD", ""),
    "Ltd.": ("Ltd", "Limited", ""),
    "Limited": ("Ltd", "Ltd.", ""),
    "plc": ("PLC", "p.l.c.", ""),
    "GmbH": ("GMBH", "gmbh", "G.m.b.H.", ""),
    "AG": ("A.G.", ""),
    "GmbH & Co. KG": ("GmbH & Co KG", "GmbH und Co. KG", ""),
    "KG": ("K.G.", ""),
    "SE": ("",),
    "e.K.": ("e. K.", ""),
    "GesmbH": ("GmbH", "Ges.m.b.H.", ""),
    "SA": ("S.A.", ""),
    "S.A.": ("SA", ""),
    "SAS": ("S.A.S.", ""),
    "S.A.S.": ("SAS", ""),
    "SARL": ("S.A.R.L.", "Sarl", ""),
    "Sàrl": ("Sarl", "SARL", ""),
    "EURL": ("",),
    "SL": ("S.L.", ""),
    "S.L.": ("SL", ""),
    "SLU": ("S.L.U.", ""),
    "BV": ("B.V.", "bv", ""),
    "B.V.": ("BV", ""),
    "NV": ("N.V.", ""),
    "N.V.": ("NV", ""),
    "AB": ("Aktiebolag", ""),
    "Aktiebolag": ("AB", ""),
    "AB (publ)": ("AB", ""),
    "HB": ("",),
    "A/S": ("AS", ""),
    "ApS": ("APS", ""),
    "AS": ("A/S", ""),
    "ASA": ("",),
    "I/S": ("",),
    "Oy": ("OY", ""),
    "Oyj": ("Oy", ""),
    "Ab": ("",),
    "KK": ("K.K.", "Kabushiki Kaisha", ""),
    "K.K.": ("KK", ""),
    "Co., Ltd.": ("Co. Ltd", "Co Ltd", ""),
    "Kabushiki Kaisha": ("KK", "K.K.", ""),
    "GK": ("",),
    "Pty Ltd": ("Pty. Ltd.", "Pty Limited", "PTY LTD", ""),
    "Pty. Ltd.": ("Pty Ltd", ""),
    "Pty Limited": ("Pty Ltd", ""),
}

_KEYBOARD_NEIGHBOURS = {
    "a": "s",
    "b": "v",
    "c": "x",
    "d": "s",
    "e": "r",
    "f": "g",
    "g": "h",
    "h": "j",
    "i": "o",
    "j": "k",
    "k": "l",
    "l": "k",
    "m": "n",
    "n": "m",
    "o": "p",
    "p": "o",
    "q": "w",
    "r": "t",
    "s": "d",
    "t": "r",
    "u": "i",
    "v": "b",
    "w": "e",
    "x": "c",
    "y": "t",
    "z": "x",
}


def _typo(text: str, rng: np.random.Generator) -> str:
    """One small slip of the keyboard, never in the first three characters."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha() and i >= 3]
    if not letters:
        return text
    i = letters[int(rng.integers(0, len(letters)))]
    kind = int(rng.integers(0, 4))
    if kind == 0 and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    if kind == 2:
        return text[:i] + text[i] + text[i:]
    neighbour = _KEYBOARD_NEIGHBOURS.get(text[i].lower(), text[i])
    return text[:i] + neighbour + text[i + 1 :]


def _case_noise(text: str, kind: int) -> str:
    if kind == 0:
        return text.upper()
    if kind == 1:
        return text.lower()
    if kind == 2:
        return "  " + text.replace(" ", "  ", 1) + " "
    return text.title()


def vary_names(rng: np.random.Generator, companies: Companies, rows: np.ndarray) -> np.ndarray:
    """How a billing system spells the names of companies ``rows`` (a realistic mix of noise)."""
    core = companies.frame["core"].to_numpy()[rows].copy()
    suffix = companies.suffix[rows].copy()
    kind = rng.choice(8, size=len(rows), p=[0.38, 0.2, 0.1, 0.05, 0.1, 0.05, 0.08, 0.04])
    # 1 and 6: another spelling of the legal suffix (6 also changes case below).
    change_suffix = np.flatnonzero((kind == 1) | (kind == 6))
    for i in change_suffix:
        options = SUFFIX_VARIANTS.get(suffix[i], ("",))
        suffix[i] = options[int(rng.integers(0, len(options)))]
    # 3: "&" <-> "and".
    amp = np.flatnonzero(kind == 3)
    core[amp] = [c.replace(" & ", " and ") if " & " in c else c for c in core[amp]]
    # 4: diacritics lost, half transliterated (Müller → Mueller), half stripped (→ Muller).
    fold = np.flatnonzero(kind == 4)
    core[fold] = folded_core(companies, rows[fold], rng.random(len(fold)) < 0.5)
    # 5: a typo.
    typo = np.flatnonzero(kind == 5)
    core[typo] = [_typo(c, rng) for c in core[typo]]
    # 7: trade name only; the legal form lives in legal_name.
    suffix[kind == 7] = ""
    name: np.ndarray = np.where(suffix != "", core + " " + suffix, core).astype(object)
    noisy = np.flatnonzero((kind == 2) | (kind == 6))
    case_kind = rng.integers(0, 4, size=len(noisy))
    name[noisy] = [_case_noise(t, int(k)) for t, k in zip(name[noisy], case_kind, strict=True)]
    return name


def account_country_spellings(rng: np.random.Generator, locale_idx: np.ndarray) -> np.ndarray:
    """Countries as Salesforce users type them: mostly the common name, often anything else."""
    out = np.full(len(locale_idx), "", dtype=object)
    for li, locale in enumerate(LOCALES):
        rows = np.flatnonzero(locale_idx == li)
        spellings = np.array(locale.country_spellings, dtype=object)
        weights = np.full(len(spellings), 0.45 / (len(spellings) - 1))
        weights[0] = 0.55
        out[rows] = spellings[rng.choice(len(spellings), size=len(rows), p=weights)]
    out[rng.random(len(out)) < 0.02] = ""
    return out


def customer_country_spellings(rng: np.random.Generator, locale_idx: np.ndarray) -> np.ndarray:
    """Countries as billing systems hold them: mostly ISO α-2, sometimes the English name."""
    alpha2 = np.array([loc.alpha2 for loc in LOCALES], dtype=object)[locale_idx]
    english = np.array([loc.country_spellings[0] for loc in LOCALES], dtype=object)[locale_idx]
    roll = rng.random(len(locale_idx))
    out: np.ndarray = np.where(roll < 0.9, alpha2, np.where(roll < 0.98, english, "")).astype(object)
    return out


def messy_account_ids(rng: np.random.Generator, ids18: np.ndarray) -> np.ndarray:
    """Account ids as billing metadata holds them: mostly 18 characters, some 15, upper-cased, padded."""
    roll = rng.random(len(ids18))
    out = ids18.astype(object).copy()
    short = roll < 0.15
    out[short] = [v[:15] for v in out[short]]
    upper = (roll >= 0.15) & (roll < 0.25)
    out[upper] = [v.upper() for v in out[upper]]
    padded = (roll >= 0.25) & (roll < 0.30)
    out[padded] = [" " + v + " " for v in out[padded]]
    return out


ACRONYM_SHARE = 0.01


def acronym_names(seed: int, names: np.ndarray, streets: np.ndarray, rows: np.ndarray) -> None:
    """About ``ACRONYM_SHARE`` of ``rows`` renamed in place to the initials a billing system often
    holds instead of the name ("Desert Key Software America Ltd" → "DKSA Ltd"), without a street:
    no word of the name is left to compare, so only the e-mail domain, the town and the country say
    it is the same company, and the matcher suggests it rather than linking it. Drawn from a
    generator of its own, so every other value of the demo stays as it was."""
    rng = np.random.default_rng(seed + 10_007)
    for row in rows[rng.random(len(rows)) < ACRONYM_SHARE].tolist():
        words = [w for w in str(names[row]).split() if w[:1].isalpha()]
        if len(words) >= 3:
            names[row] = "".join(w[0].upper() for w in words[:-1]) + " " + words[-1]
            streets[row] = ""
