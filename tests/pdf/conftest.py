from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from legal_track.config import Settings
from legal_track.pdf.bundle import BundleOptions, BundleResult, ExhibitInput, build_bundle
from legal_track.pdf.fonts import FontMissingError, FontSpec, find_cjk_font
from tests.components import require, require_binary
from tests.pdf import samples

ON = date(2026, 11, 29)
FILLERS = 40  # enough rows for a 证据目录 of several pages


@pytest.fixture(scope="session")
def cjk_font() -> FontSpec:
    try:
        return find_cjk_font(Settings(_env_file=None))
    except FontMissingError as exc:
        require(False, "a CJK font", str(exc))
        raise


@dataclass
class Built:
    result: BundleResult
    exhibits: list[ExhibitInput]
    options: BundleOptions
    pdf: Path

    def text_pages(self) -> list[str]:
        return pdf_texts(self.pdf, layout=True)


def pdf_texts(pdf: Path, *, layout: bool = False) -> list[str]:
    """pdftotext of every page (split on form feeds)."""
    pdftotext = require_binary("pdftotext", "poppler-utils")
    args = [pdftotext, *(["-layout"] if layout else []), str(pdf), "-"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def rich_exhibits(folder: Path) -> list[ExhibitInput]:
    """Every kind of input: text, rotated, mixed sizes, JPEG, PNG with alpha, TIFF …"""
    folder.mkdir(parents=True, exist_ok=True)
    s = samples
    items = [
        ExhibitInput(
            s.text_pdf(folder / "contract.pdf", [f"CONTRACT page {n}" for n in (1, 2, 3)]),
            "借款合同",
            source="原告提供",
            purpose=s.LONG_PURPOSE,
        ),
        ExhibitInput(s.image(folder / "id.jpg", (900, 1300), fmt="JPEG"), "身份证", group="id"),
        ExhibitInput(
            s.image(folder / "transfer.png", (1600, 900), fmt="PNG", mode="RGBA"),
            "转账截图",
            group="id",
        ),
        ExhibitInput(s.tiff(folder / "scan.tif", 3), "扫描件", source="档案室"),
        ExhibitInput(s.text_pdf(folder / "rotated.pdf", ["ROTATED SCAN"], rotate=90), "旋转页"),
        ExhibitInput(
            s.text_pdf(
                folder / "mixed.pdf",
                ["PORTRAIT", "LANDSCAPE", "RECEIPT", "BIG"],
                sizes=[samples.A4, (841.89, 595.28), (226.0, 340.0), (841.89, 1190.55)],
            ),
            "混合尺寸",
        ),
        ExhibitInput(
            s.image(folder / "phone.jpg", (1600, 1200), fmt="JPEG", exif_orientation=6),
            "手机照片",
        ),
    ]
    for n in range(FILLERS):
        items.append(
            ExhibitInput(
                s.shapes_pdf(folder / f"filler{n:02d}.pdf", 1),
                f"催收记录第{n + 1}份",
                source="催收系统",
                purpose=s.LONG_PURPOSE,
            )
        )
    return items


@pytest.fixture(scope="session")
def rich(tmp_path_factory, cjk_font) -> Built:
    """One bundle of ~50 exhibits with dividers, shared by many read-only tests."""
    folder = tmp_path_factory.mktemp("rich")
    exhibits = rich_exhibits(folder / "in")
    options = BundleOptions(
        "原告证据材料",
        case_ref="（2026）京0105民初12345号",
        parties=("原告：某某小额贷款有限公司", "被告：张三"),
        forum="北京市朝阳区人民法院",
        on=ON,
        prefix="LT-2026-000123-",
        dividers=True,
    )
    calls: list[tuple[int, int]] = []
    result = build_bundle(
        exhibits, options, folder / "bundle.pdf", progress=lambda d, t: calls.append((d, t)),
        font=cjk_font,
    )  # fmt: skip
    built = Built(result=result, exhibits=exhibits, options=options, pdf=result.volumes[0])
    built.progress = calls
    return built


@pytest.fixture(scope="session")
def substitute_fonts() -> None:
    """The Liberation faces `--embed-fonts` embeds (skip locally, fail in CI without)."""
    from legal_track.pdf.model import BundleError
    from legal_track.pdf.substitute import SUBSTITUTES, face_path

    try:
        for family, style in set(SUBSTITUTES.values()):
            face_path(family, style)
    except BundleError as exc:
        require(False, "the Liberation fonts", str(exc))
