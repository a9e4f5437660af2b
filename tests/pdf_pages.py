"""Reading a PDF back page by page with poppler (pdfinfo, pdftotext, pdftoppm): layout checks.

What a person sees when the document is printed: how many pages, what each page holds, whether a
name in a table is broken over lines. Used by the rendering tests of every document kind.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path


def _run(*args: str) -> str:
    out = subprocess.run(args, capture_output=True)
    assert out.returncode == 0, out.stderr.decode(errors="replace")
    return out.stdout.decode()


def _with_file(content: bytes) -> Path:
    handle = tempfile.NamedTemporaryFile(suffix=".pdf", delete=False)  # noqa: SIM115
    handle.write(content)
    handle.close()
    return Path(handle.name)


def page_count(content: bytes) -> int:
    path = _with_file(content)
    try:
        match = re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(path)), re.MULTILINE)
    finally:
        path.unlink()
    assert match, "pdfinfo found no page count"
    return int(match.group(1))


def page_texts(content: bytes, *, layout: bool = False) -> list[str]:
    """The text of each page, in order (with -layout: table cells keep their lines)."""
    path = _with_file(content)
    try:
        pages = page_count(content)
        mode = ["-layout"] if layout else []
        return [
            _run("pdftotext", "-enc", "UTF-8", *mode, "-f", str(n), "-l", str(n), str(path), "-")
            for n in range(1, pages + 1)
        ]
    finally:
        path.unlink()


def squeezed(value: str) -> str:
    return re.sub(r"\s+", "", value)


# What every page prints in its margins, and what the end block of a notice prints.
_MARGINS = [r"天平·公共资源交易平台", r"第\d+页共\d+页", r"验证码[0-9A-Z]*"]
_HINT = r"扫描二维码.*?更正以新公告发布。"


def body_left(page: str, signature: Iterable[str]) -> str:
    """A page's text without its margins, the verification hint and the signature lines."""
    left = squeezed(page)
    for pattern in [*_MARGINS, _HINT]:
        left = re.sub(pattern, "", left)
    for line in sorted((squeezed(s) for s in signature if s), key=len, reverse=True):
        left = left.replace(line, "")
    return left


def wrapped_names(content: bytes, names: Iterable[str]) -> list[str]:
    """The names printed at least once broken over two or more lines (a cell too narrow)."""
    lines = [
        squeezed(line) for page in page_texts(content, layout=True) for line in page.splitlines()
    ]
    joined = "".join(lines)
    return [
        name
        for name in names
        if joined.count(squeezed(name)) > sum(line.count(squeezed(name)) for line in lines)
    ]


def page_images(content: bytes, out: Path, stem: str, *, dpi: int = 50) -> list[Path]:
    """PNGs of every page (for a person to look at: `var/test-pdfs/`)."""
    out.mkdir(parents=True, exist_ok=True)
    path = _with_file(content)
    try:
        _run("pdftoppm", "-png", "-r", str(dpi), str(path), str(out / stem))
    finally:
        path.unlink()
    return sorted(out.glob(f"{stem}*.png"))
