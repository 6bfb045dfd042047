"""The A4 PDF of the training-gap report, printed by headless Chromium.

The page's print stylesheet lays it out on A4 (:mod:`lsc_workforce.gap_publication`); Chromium,
driven by Playwright (a Python dependency of the package), prints it with JavaScript off and the
network blocked. Chromium itself is a system package (Debian's ``chromium``, at
:data:`CHROMIUM`, or the path in the ``LSC_CHROMIUM`` environment variable): when it is missing
the PDF is skipped, and :func:`render_pdf` says why and how to enable it. The refresh still
succeeds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ENABLE_HINT = (
    "install Debian's chromium package (apt-get install chromium) or set LSC_CHROMIUM to a "
    "Chromium executable"
)


@dataclass(frozen=True)
class PdfResult:
    """What :func:`render_pdf` did.

    Attributes:
        path: the PDF written, or ``None`` when skipped.
        reason: why it was skipped and how to enable it (``""`` when made).
    """

    path: Path | None
    reason: str = ""

    @property
    def made(self) -> bool:
        """Whether the PDF was written."""
        return self.path is not None


def chromium_path() -> Path:
    """The Chromium the PDF is printed with (``LSC_CHROMIUM`` or :data:`CHROMIUM`)."""
    return Path(os.environ.get("LSC_CHROMIUM") or CHROMIUM)


def render_pdf(html_path: Path, pdf_path: Path) -> PdfResult:
    """Print an HTML page to an A4 PDF, or say why it cannot.

    Args:
        html_path: the page (its print stylesheet sets the A4 layout).
        pdf_path: the PDF to write.

    Returns:
        The result; never raises for a missing renderer.
    """
    browser = chromium_path()
    if not browser.is_file():
        return PdfResult(None, f"Chromium not found at {browser}; {ENABLE_HINT}")
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415
    except ImportError:
        return PdfResult(None, "the playwright package is not installed; pip install playwright")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(browser), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = chromium.new_context(java_script_enabled=False, offline=True)
            page = context.new_page()
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(("file:", "data:"))
                    else route.abort()
                ),
            )
            page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
            page.emulate_media(media="print")
            page.pdf(path=str(pdf_path), format="A4", print_background=True, outline=True)
        finally:
            chromium.close()
    return PdfResult(pdf_path)
