"""Time company-name cleaning (``clean_company_name_list``) over the distinct names of generated data.

    .venv/bin/python benchmarks/bench_names.py --accounts 1000000
    git show REV:desktop_app/core/normalize.py > /tmp/normalize_rev.py
    .venv/bin/python benchmarks/bench_names.py --accounts 1000000 --against /tmp/normalize_rev.py

The names are those the matcher cleans at ``--accounts`` × as many customers: every distinct account
name, customer name and customer legal name of ``generate()`` (mostly ASCII, a seventh with Latin
accents). ``--international`` times, besides, as many distinct names in other scripts (Cyrillic,
Greek, CJK, Thai, Devanagari, Arabic) with their legal forms. ``--against`` times another version of
``normalize.py`` on the same names, round for round, alternating with this one (the machine's load
moves between rounds). CPU seconds of this process, the best of ``--rounds``; the last line printed
is one JSON object.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
import time
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.core import normalize
from desktop_app.sandbox.demo_data import generate

_WORDS = {
    "cyrillic": ["Ромашка", "Северсталь", "Газпром", "Лукойл", "Магнит", "Сбер", "Восход", "Заря"],
    "greek": ["Κωτσόβολος", "Παπαδόπουλος", "Ολυμπιακή", "Αθηναϊκή", "Ελληνική", "Μύλοι"],
    "cjk": ["トヨタ", "ソニー", "日立", "华为", "腾讯", "阿里巴巴", "카카오", "삼성", "製作所", "科技"],
    "thai": ["ปูนซิเมนต์", "ไทย", "กสิกร", "เครือ", "สยาม", "พลังงาน"],
    "devanagari": ["हिन्दुस्तान", "यूनिलीवर", "भारत", "पेट्रोलियम", "टाटा", "मोटर्स"],
    "arabic": ["مُحَمَّد", "للتجارة", "الخليج", "العربية", "الوطنية"],
}
_FORMS = {
    "cyrillic": ["ООО {}", "{} ПАО", "АО «{}»"], "greek": ["{} Α.Ε.", "{} Ε.Π.Ε."],
    "cjk": ["{}株式会社", "株式会社{}", "{}有限公司", "(주){}"], "thai": ["บริษัท {} จำกัด"],
    "devanagari": ["{} लिमिटेड"], "arabic": ["{} ذ.م.م"],
}


def generated_names(accounts: int, seed: int) -> list[str]:
    """The distinct names the matcher cleans for ``accounts`` × as many customers."""
    data = generate(accounts, seed=seed, customer_ratio=1.0)
    names = [*data.accounts["name"].tolist(), *data.customers["name"].tolist(),
             *data.customers["legal_name"].tolist()]
    return list(dict.fromkeys(name for name in names if isinstance(name, str)))


def international_names(count: int, seed: int) -> list[str]:
    """``count`` distinct names in other scripts, each with one of its legal forms."""
    rng = random.Random(seed)
    scripts = list(_WORDS)
    names = []
    for number in range(count):
        script = scripts[number % len(scripts)]
        core = f"{rng.choice(_WORDS[script])}{rng.choice(_WORDS[script])} {number}"
        names.append(rng.choice(_FORMS[script]).format(core))
    return names


def load_version(path: Path) -> ModuleType:
    """Another version of ``normalize.py``, imported under its own name."""
    spec = importlib.util.spec_from_file_location(f"normalize_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best_seconds(versions: dict[str, ModuleType], names: list[str], rounds: int) -> dict[str, float]:
    """The best CPU seconds of each version's ``clean_company_name_list(names)``, rounds alternating."""
    best = dict.fromkeys(versions, float("inf"))
    for _ in range(rounds):
        for label, module in versions.items():
            started = time.process_time()
            module.clean_company_name_list(names)
            best[label] = min(best[label], time.process_time() - started)
    return {label: round(seconds, 3) for label, seconds in best.items()}


def main() -> None:
    """Parse the arguments, time each version on each name set, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--international", action="store_true", help="also time names in other scripts")
    parser.add_argument("--against", type=Path, help="another normalize.py to time on the same names")
    args = parser.parse_args()
    versions: dict[str, ModuleType] = {"this": normalize}
    if args.against is not None:
        versions["against"] = load_version(args.against)
    sets = {"generated": generated_names(args.accounts, args.seed)}
    if args.international:
        sets["international"] = international_names(len(sets["generated"]) // 7, args.seed)
    figures: dict[str, object] = {}
    for label, names in sets.items():
        seconds = best_seconds(versions, names, args.rounds)
        non_ascii = sum(not name.isascii() for name in names)
        print(f"{label}: {len(names)} distinct names ({non_ascii} not ASCII): {seconds}", file=sys.stderr)
        figures[label] = {"names": len(names), "not_ascii": non_ascii, "cpu_seconds": seconds}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
