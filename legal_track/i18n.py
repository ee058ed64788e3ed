"""One message catalog for the UI, the CLI and e-mails: zh (default) and en.

The catalog is the union of the TOML files in ``legal_track/locale/``; each file
holds ``[zh]`` and ``[en]`` tables of ``key = "text"``. A key defined twice, or
present in one language but not the other, is an error caught by the tests.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("zh", "en")


class CatalogError(ValueError):
    pass


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    origin: dict[str, str] = {}
    for path in sorted(LOCALE_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for lang in LANGUAGES:
            for key, text in data.get(lang, {}).items():
                if key in merged[lang]:
                    raise CatalogError(f"{path.name}: key {key!r} already in {origin[key]}")
                merged[lang][key] = text
                origin[key] = path.name
    missing = set(merged["zh"]) ^ set(merged["en"])
    if missing:
        raise CatalogError(f"keys not in both languages: {sorted(missing)}")
    return merged


def t(key: str, lang: str = "zh", **params: object) -> str:
    """The text for `key` in `lang`, formatted with `params`. Unknown keys raise KeyError."""
    text = catalog()[lang if lang in LANGUAGES else "zh"][key]
    return text.format(**params) if params else text
