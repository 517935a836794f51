"""MkDocs hooks of the documentation site (``hooks:`` in ``mkdocs.yml``).

- Add the pages generated from the code (:mod:`removalsim.docs_pages`) to the site and to the
  navigation, in place of the generated sections' index entries.
- Fill ``<!-- generated: NAME -->`` in hand-written pages with the generated block NAME.
- Render TeX (``$...$`` and ``$$...$$``, parsed by ``pymdownx.arithmatex``) as MathML, which
  browsers draw without any script, so the site works offline.
"""

from __future__ import annotations

import html
import re
from typing import Any

from latex2mathml.converter import convert
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from removalsim.docs_pages import Generated, generate

_generated: Generated | None = None

BLOCK = re.compile(r"<!--\s*generated:\s*([\w-]+)\s*-->")
INLINE_MATH = re.compile(r'<span class="arithmatex">\\\((.*?)\\\)</span>', re.DOTALL)
DISPLAY_MATH = re.compile(r'<div class="arithmatex">\\\[(.*?)\\\]</div>', re.DOTALL)


def _site() -> Generated:
    if _generated is None:
        raise PluginError("docs_hooks: on_config has not run")
    return _generated


def expand_nav(nav: Any, sections: dict[str, list[tuple[str, str]]]) -> Any:
    """The navigation with each generated section's index entry followed by its pages."""
    if isinstance(nav, list):
        return [expand_nav(item, sections) for item in nav]
    if isinstance(nav, dict):
        out = {}
        for title, target in nav.items():
            if isinstance(target, str) and target in sections:
                out[title] = [target, *({t: p} for p, t in sections[target])]
            else:
                out[title] = expand_nav(target, sections)
        return out
    return nav


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Generate the pages once per build and put them in the navigation."""
    global _generated
    _generated = generate()
    config.nav = expand_nav(config.nav, _generated.sections)
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated pages and charts."""
    for item in _site().files:
        files.append(File.generated(config, item.path, content=item.content))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Fill the generated blocks; an unknown block name stops the build."""
    blocks = _site().blocks

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in blocks:
            raise PluginError(f"{page.file.src_uri}: unknown generated block '{name}'; "
                              f"known: {', '.join(sorted(blocks))}")
        return blocks[name]

    return BLOCK.sub(fill, markdown)


def on_page_content(content: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Replace the TeX that arithmatex marked with MathML."""

    def math(display: str):
        def replace(match: re.Match[str]) -> str:
            tex = html.unescape(match.group(1)).strip()
            try:
                return convert(tex, display=display)
            except Exception as error:  # latex2mathml raises many types; name the page
                raise PluginError(f"{page.file.src_uri}: cannot render ${tex}$: {error}") from None
        return replace

    content = DISPLAY_MATH.sub(math("block"), content)
    return INLINE_MATH.sub(math("inline"), content)
