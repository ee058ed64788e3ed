"""CJK font discovery: configured font, fontconfig, collection faces, clear errors."""

from __future__ import annotations

import pytest

from legal_track.config import Settings
from legal_track.pdf.fonts import FontMissingError, _configured_font, _prefer_sc, find_cjk_font


def _settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_system_font_is_a_simplified_chinese_face(cjk_font):
    assert cjk_font.path.is_file()
    if cjk_font.path.suffix.lower() == ".ttc" and "Noto" in cjk_font.family:
        assert cjk_font.family.endswith(" SC"), cjk_font
        assert cjk_font.collection_index != 0, "face 0 of the Noto collections is Japanese"


def test_configured_collection_picks_the_sc_face(cjk_font):
    _configured_font.cache_clear()
    spec = find_cjk_font(_settings(cjk_font=cjk_font.path))
    assert spec.path == cjk_font.path
    assert spec.collection_index == cjk_font.collection_index
    assert "SC" in spec.family or cjk_font.path.suffix.lower() != ".ttc"


def test_prefer_sc_skips_japanese_and_mono_faces():
    faces = [(0, "Noto Serif CJK JP"), (1, "Noto Sans Mono CJK SC"), (2, "Noto Serif CJK SC")]
    assert _prefer_sc(faces) == (2, "Noto Serif CJK SC")
    assert _prefer_sc([(0, "Some Font")]) == (0, "Some Font")


def test_missing_configured_font_names_the_install_command(tmp_path):
    with pytest.raises(FontMissingError) as caught:
        find_cjk_font(_settings(cjk_font=tmp_path / "nope.ttc"))
    message = str(caught.value)
    assert "apt-get install fonts-noto-cjk" in message and "LEGAL_TRACK_CJK_FONT" in message


def test_a_file_that_is_not_a_font_is_refused(tmp_path):
    fake = tmp_path / "fake.ttf"
    fake.write_bytes(b"not a font at all")
    with pytest.raises(FontMissingError, match="cannot be read as a font"):
        find_cjk_font(_settings(cjk_font=fake))
    text = tmp_path / "font.txt"
    text.write_text("x")
    with pytest.raises(FontMissingError, match="not a TrueType/OpenType font"):
        find_cjk_font(_settings(cjk_font=text))
