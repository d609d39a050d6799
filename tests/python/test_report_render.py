"""The briefing rendered for real: headless Chromium loads the HTML offline with no console
message (a blocked request is one: the page's Content-Security-Policy forbids every request, and
Chromium reports each it blocked) and every figure visible, and saves a screenshot; the PDF's
pages, rendered by pdftoppm, are all there and none is blank."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import gatesim as gs

from conftest import small_scenario

CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--no-first-run", "--enable-logging=stderr", "--v=0"]
# Injected into a copy of the page (the briefing itself has no script): marks every figure's size.
CHECK = """<script>
const out = [...document.querySelectorAll("figure.chart")].map(f => {
  const svg = f.querySelector("svg"), r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const s = svg ? getComputedStyle(svg) : {visibility: "hidden", display: "none"};
  return `${f.id}:${Math.round(r.width)}x${Math.round(r.height)}:${s.visibility}:${s.display}`;
});
document.body.setAttribute("data-figures", out.join(" "));
</script>"""


def need(tool):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (.ci/install-deps installs it)")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    d = tmp_path_factory.mktemp("render")
    gs.compare([small_scenario(n) for n in ("baseline", "global_shutdown", "phased_reopening")], replicates=4,
               threads=2, output=d / "cmp.h5")
    return gs.report([d / "cmp.h5"], d / "briefing", audience="policy")


def chromium(page: Path, *options):
    return subprocess.run(CHROMIUM + list(options) + [page.as_uri()], capture_output=True, text=True, timeout=120)


def checked_copy(html: Path, extra: str = "") -> Path:
    """The page with the figure check (and extra markup) before </body>; its policy lets inline scripts run."""
    text = html.read_text(encoding="utf-8").replace("script-src 'none'", "script-src 'unsafe-inline'")
    copy = html.with_name("checked.html")
    copy.write_text(text.replace("</body>", extra + CHECK + "</body>"), encoding="utf-8")
    return copy


def console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def test_chromium_loads_the_page_offline_with_every_figure_visible(written):
    need("chromium")
    html = Path(written["html"])
    done = chromium(checked_copy(html), "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert console(done.stderr) == []
    figures = re.search(r'data-figures="([^"]*)"', done.stdout).group(1).split()
    assert len(figures) == html.read_text().count('class="chart"') >= 5
    for f in figures:
        name, size, visibility, display = f.split(":")
        width, height = map(int, size.split("x"))
        assert width > 300 and height > 100 and visibility == "visible" and display != "none", f
    screenshot = Path(os.environ.get("GATESIM_BUILD_DIR", html.parent)) / "briefing-screenshot.png"
    shot = chromium(html, f"--screenshot={screenshot}", "--window-size=1200,2400", "--hide-scrollbars")
    assert shot.returncode == 0 and screenshot.stat().st_size > 20_000, shot.stderr[-2000:]
    assert console(shot.stderr) == []


def test_an_external_request_would_be_caught(written):
    need("chromium")
    copy = checked_copy(Path(written["html"]), '<img src="http://198.51.100.7/logo.png">')
    done = chromium(copy, "--dump-dom")
    assert any("198.51.100.7" in line for line in console(done.stderr)), done.stderr[-2000:]


def gray_pages(pdf: Path, out: Path) -> list[np.ndarray]:
    subprocess.run(["pdftoppm", "-r", "24", "-gray", str(pdf), str(out / "page")], check=True, timeout=120)
    pages = []
    for path in sorted(out.glob("page*.pgm")):
        data = path.read_bytes()
        header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
        width, height = int(header.group(1)), int(header.group(2))
        pages.append(np.frombuffer(data[header.end():], dtype=np.uint8).reshape(height, width))
    return pages


def test_pdf_pages_render_and_none_is_blank(written, tmp_path):
    need("pdftoppm")
    pdf = Path(written["pdf"])
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    pages = gray_pages(pdf, tmp_path)
    assert len(pages) == count and 3 <= count <= 20
    for k, page in enumerate(pages):
        ink = np.mean(page < 200)
        assert ink > 0.005, f"page {k + 1} of {count} is blank ({ink:.4f} of its pixels have ink)"
