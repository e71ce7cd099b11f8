"""Regenerate the screenshots in docs/img/ for docs/briefings.md (demo data only).

    python tools/doc_screenshots.py                 # runs esc report on the demo world
    python tools/doc_screenshots.py --run FOLDER    # reuses a finished demo report run

It runs ``esc report --notebook overview --year 2023`` on esc's generated demo world (about
three minutes), then writes

* ``docs/img/report-index.png``: the run's ``index.html`` in headless Chromium;
* ``docs/img/briefing-slide.png``: the first chart slide of ``briefing.pptx``, drawn from the
  deck's own shapes (position, size, text, font size, colour and the embedded chart PNG read
  with python-pptx, laid out in HTML and shot in Chromium), so no office suite is needed. It
  is a faithful sketch of the slide, not PowerPoint's rendering.

Both carry the demo label (the index's red banner, the chart's demo mark and the slide's red
source line); the tool refuses a run whose manifest is not labelled demo. PNGs are reduced to
256 colours to stay well under 300 KB. Chromium: Debian's ``chromium`` (``$ESC_CHROMIUM``).
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]
EMU_PER_PT = 12700
SLIDE_PX = 1280  # width of the slide picture in CSS pixels


def chromium() -> str:
    """The Chromium binary, or exit with a message."""
    import os

    for name in (os.environ.get("ESC_CHROMIUM"), "chromium", "chromium-browser"):
        if name and (found := shutil.which(name)):
            return found
    sys.exit("chromium not found (Debian: apt-get install chromium)")


def shoot(page: Path, target: Path, width: int, height: int) -> Path:
    """A ``width`` x ``height`` screenshot of the local file ``page`` (network not used)."""
    with tempfile.TemporaryDirectory(prefix="esc-shot-") as profile:
        subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}",
                        f"--window-size={width},{height}", "--virtual-time-budget=5000",
                        f"--screenshot={target}", page.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
    return shrink(target)


def shrink(png: Path) -> Path:
    """Re-save ``png`` with a 256-colour palette (screenshots of text and flat charts)."""
    from PIL import Image

    with Image.open(png) as img:
        small = img.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(png, optimize=True)
    return png


def demo_run() -> Path:
    """Run ``esc report`` on the demo world into a temporary folder; the run folder."""
    out = Path(tempfile.mkdtemp(prefix="esc-doc-report-"))
    done = subprocess.run([sys.executable, "-m", "esc.cli", "report", "--source", "demo",
                           "--notebook", "overview", "--year", "2023", "--out", str(out),
                           "--no-progress"], check=True, capture_output=True, text=True)
    return Path(done.stdout.split("report: ")[1].strip())


def _font(shape: Any) -> tuple[float, bool, str]:
    """Font size (pt), bold and colour (#rrggbb) of the first paragraph of a text box."""
    para = shape.text_frame.paragraphs[0]
    font = para.runs[0].font if para.runs and para.runs[0].font.size else para.font
    try:
        colour = f"#{font.color.rgb}"
    except AttributeError:  # no explicit colour: the theme's text colour
        colour = "#222222"
    return (font.size.pt if font.size else 18.0), bool(font.bold), colour


def slide_html(deck: Path, number: int) -> tuple[str, int]:
    """Slide ``number`` (0-based) of ``deck`` as an HTML page from its shapes, and its height."""
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    prs = Presentation(str(deck))
    scale = SLIDE_PX / prs.slide_width  # CSS px per EMU
    height = round(prs.slide_height * scale)
    parts = []
    for shape in prs.slides[number].shapes:
        box = (f"left:{shape.left * scale:.0f}px;top:{shape.top * scale:.0f}px;"
               f"width:{shape.width * scale:.0f}px;height:{shape.height * scale:.0f}px")
        if shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
            data = base64.b64encode(shape.image.blob).decode()
            parts.append(f'<img style="{box}" src="data:{shape.image.content_type};'
                         f'base64,{data}">')
        elif shape.has_text_frame:
            size, bold, colour = _font(shape)
            parts.append(f'<div style="{box};font-size:{size * EMU_PER_PT * scale:.1f}px;'
                         f'font-weight:{700 if bold else 400};color:{colour}">'
                         f"{html.escape(shape.text_frame.text)}</div>")
    return (f"<!doctype html><html><head><meta charset='utf-8'><style>"
            f"body{{margin:0;background:#fff}} .slide{{position:relative;width:{SLIDE_PX}px;"
            f"height:{height}px;overflow:hidden;font-family:Calibri,Carlito,Arial,sans-serif}}"
            f" .slide>*{{position:absolute;line-height:1.15;margin:0}}</style></head><body>"
            f"<div class='slide'>{''.join(parts)}</div></body></html>"), height


def main(argv: list[str] | None = None) -> int:
    """Write docs/img/report-index.png and docs/img/briefing-slide.png."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, help="a finished demo report run folder to reuse")
    parser.add_argument("--slide", type=int, default=1, help="slide number, 0 = title slide")
    args = parser.parse_args(argv)
    run = args.run or demo_run()
    manifest = json.loads((run / "manifest.json").read_text())
    if not manifest.get("label", {}).get("demo"):
        sys.exit(f"{run} is not a demo run: the documentation shows demo data only")
    IMG.mkdir(parents=True, exist_ok=True)
    index = shoot(run / "index.html", IMG / "report-index.png", 1200, 900)
    page, height = slide_html(run / "briefing.pptx", args.slide)
    with tempfile.TemporaryDirectory(prefix="esc-slide-") as tmp:
        (Path(tmp) / "slide.html").write_text(page, encoding="utf-8")
        slide = shoot(Path(tmp) / "slide.html", IMG / "briefing-slide.png", SLIDE_PX, height)
    for png in (index, slide):
        print(f"{png.relative_to(ROOT)}: {png.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
