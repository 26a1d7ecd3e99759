"""``lambda-micro new``: a complete SAM project on lambda_micro, ready to serve, test, build and deploy.

The files come from ``template/`` beside this module (package data of lambda-micro-local): each ``*.tmpl``
is rendered by jinja2 with ``[[ ]]`` / ``[% %]`` delimiters, so the jinja2 pages of the generated function
(``{{ }}``) pass through untouched. What a project gets:

- ``template.yaml``: Transform, Globals (``python3.13``), one function, an HTTP API and/or a REST API, and
  with ``--with-table`` / ``--with-bucket`` a DynamoDB table / an S3 bucket with a policy for that resource
  alone;
- ``functions/<name>/``: ``app.py`` (an HTML and a JSON route, plus the table's and the bucket's routes),
  ``templates/``, ``requirements.txt`` naming ``lambda-micro``;
- ``tests/`` on the pytest plugin (``function_client``, ``aws``), ``requirements-dev.txt``, a ``Makefile``
  (serve, test, check, build, deploy), ``pyproject.toml`` (pytest's settings), ``.gitignore``, a README.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import lambda_micro

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["APIS", "NewProjectError", "ProjectOptions", "create_project", "function_name_for"]

Api = Literal["http", "rest", "both"]
#: ``--api`` values: an HTTP API (payload 2.0), a REST API (stage ``Prod``), or both (pages on REST, JSON on
#: the HTTP API).
APIS: tuple[Api, ...] = ("http", "rest", "both")
#: The Lambda runtime of generated projects.
RUNTIME = "python3.13"

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


class NewProjectError(Exception):
    """The project cannot be created as asked (a non-empty folder, a bad name): one line for the user."""


@dataclass(frozen=True)
class ProjectOptions:
    """What ``lambda-micro new`` was asked for."""

    name: str  # the function's folder under functions/, a Python identifier (``demo``)
    api: Api = "http"
    table: bool = False
    bucket: bool = False

    def __post_init__(self) -> None:
        if self.api not in APIS:
            raise NewProjectError(f"--api must be one of {', '.join(APIS)}, not {self.api!r}")
        if not _NAME.match(self.name) or keyword.iskeyword(self.name):
            raise NewProjectError(
                f"--name {self.name!r}: the function's name must be a lower-case Python identifier "
                "(letters, digits and _, starting with a letter), such as 'demo' or 'my_app'"
            )

    @property
    def logical_id(self) -> str:
        """The function's logical id in template.yaml: ``demo`` → ``DemoFunction``."""
        return "".join(part.capitalize() for part in self.name.split("_")) + "Function"

    @property
    def page_api(self) -> str:
        """The logical id of the API serving the HTML page."""
        return "HttpApi" if self.api == "http" else "RestApi"

    @property
    def json_api(self) -> str:
        """The logical id of the API serving the JSON routes."""
        return "RestApi" if self.api == "rest" else "HttpApi"

    def context(self) -> dict[str, Any]:
        """The templates' variables."""
        return {
            "name": self.name,
            "function_id": self.logical_id,
            "api": self.api,
            "http": self.api in ("http", "both"),
            "rest": self.api in ("rest", "both"),
            "page_api": self.page_api,
            "json_api": self.json_api,
            "table": self.table,
            "bucket": self.bucket,
            "runtime": RUNTIME,
            "python_version": RUNTIME.removeprefix("python"),
            "version": lambda_micro.__version__,
        }


def function_name_for(folder: Path) -> str:
    """The default function name for a project folder: ``my-app`` → ``my_app``."""
    name = re.sub(r"[^a-z0-9]+", "_", folder.resolve().name.lower()).strip("_")
    if not name or not name[0].isalpha() or keyword.iskeyword(name):
        raise NewProjectError(
            f"cannot make a function name from the folder name {folder.resolve().name!r}: pass --name NAME"
        )
    return name


def _always(options: ProjectOptions) -> bool:
    return True


#: (file in template/, path in the project, whether the project gets it). ``{name}`` is the function's name.
_FILES: tuple[tuple[str, str, Callable[[ProjectOptions], bool]], ...] = (
    ("template.yaml.tmpl", "template.yaml", _always),
    ("app.py.tmpl", "functions/{name}/app.py", _always),
    ("requirements.txt.tmpl", "functions/{name}/requirements.txt", _always),
    ("base.html.tmpl", "functions/{name}/templates/base.html", _always),
    ("index.html.tmpl", "functions/{name}/templates/index.html", _always),
    ("test_app.py.tmpl", "tests/test_app.py", _always),
    ("test_items.py.tmpl", "tests/test_items.py", lambda options: options.table),
    ("test_files.py.tmpl", "tests/test_files.py", lambda options: options.bucket),
    ("requirements-dev.txt.tmpl", "requirements-dev.txt", _always),
    ("Makefile.tmpl", "Makefile", _always),
    ("pyproject.toml.tmpl", "pyproject.toml", _always),
    ("gitignore.tmpl", ".gitignore", _always),
    ("README.md.tmpl", "README.md", _always),
)


def _source() -> Traversable:
    return files(__name__) / "template"


def _environment() -> Any:
    import jinja2  # noqa: PLC0415 - only `lambda-micro new` renders project files

    return jinja2.Environment(
        variable_start_string="[[",
        variable_end_string="]]",
        block_start_string="[%",
        block_end_string="%]",
        comment_start_string="[#",
        comment_end_string="#]",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - the output is source code, YAML and jinja2 pages, not HTML to serve
    )


def render_project(options: ProjectOptions) -> dict[str, str]:
    """The project's files (relative POSIX path → text), without touching the disk."""
    environment = _environment()
    context = options.context()
    source = _source()
    rendered: dict[str, str] = {}
    for template_name, target, wanted in _FILES:
        if not wanted(options):
            continue
        text = (source / template_name).read_text(encoding="utf-8")
        rendered[target.format(name=options.name)] = environment.from_string(text).render(context)
    return rendered


def create_project(path: Path, options: ProjectOptions, *, force: bool = False) -> list[Path]:
    """Write a new project into ``path`` (created if missing) and return the files written, in order.

    A folder that exists and is not empty is refused unless ``force``: then the project's files replace
    those of the same name, and other files are left alone.
    """
    if path.exists() and not path.is_dir():
        raise NewProjectError(f"{path} exists and is not a folder")
    if path.is_dir() and any(path.iterdir()) and not force:
        raise NewProjectError(f"{path} is not empty: choose a new folder, or pass --force to write into it")
    rendered = render_project(options)
    written: list[Path] = []
    for relative, text in rendered.items():
        target = path / relative
        if target.is_dir():
            raise NewProjectError(f"{target} is a folder: the project needs a file there")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written
