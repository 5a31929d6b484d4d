"""The Jinja2 environment of the patron pages, reusable by other parts of the web node.

:func:`make_environment` loads templates from the folders it is given first, then from
this package's ``templates/``, so another package (staff pages) can ``{% extends
"base.html" %}`` and reuse the layout, the stylesheet and the translation function.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from union.web.i18n import Translate

__all__ = ["TEMPLATES", "make_environment", "render"]

#: This package's template folder.
TEMPLATES = Path(__file__).parent / "templates"


def make_environment(*folders: Path) -> jinja2.Environment:
    """A Jinja2 environment over ``folders`` and then the patron templates, escaping
    HTML, failing loudly on an undefined name."""
    loader = jinja2.FileSystemLoader([*folders, TEMPLATES])
    return jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(environment: jinja2.Environment, name: str, language: str,
           values: Mapping[str, Any]) -> str:
    """Template ``name`` rendered in ``language``: ``t`` (see
    :class:`~union.web.i18n.Translate`) and ``lang`` are there beside ``values``."""
    template = environment.get_template(name)
    return template.render({**values, "t": Translate(language), "lang": language})
