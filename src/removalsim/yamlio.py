"""Strict YAML reading: duplicate keys are errors and every node keeps its line number."""

from __future__ import annotations

import difflib
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError


class InputError(ValueError):
    """A parameter, scenario or request that cannot be used, with where and why.

    Parameters
    ----------
    message
        What is wrong, naming the file, the key and the line where known.
    """


Lines = dict[tuple[Any, ...], int]

MAX_NODES = 100_000
"""Most YAML nodes one document may expand to (aliases count each time they are used), so a
small file of nested aliases cannot take the memory of a large one."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys."""


class _Walk:
    """State of one document's conversion: nodes seen so far and the aliases being expanded."""

    def __init__(self, loader: _StrictLoader, name: str) -> None:
        self.loader = loader
        self.name = name
        self.lines: Lines = {}
        self.count = 0
        self.open: set[int] = set()


def _to_python(node: yaml.Node, walk: _Walk, path: tuple) -> Any:
    line = node.start_mark.line + 1
    walk.lines[path] = line
    walk.count += 1
    if walk.count > MAX_NODES:
        raise InputError(f"{walk.name}: line {line}: the document expands to more than "
                         f"{MAX_NODES:,} values (aliases used too often)")
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, walk)
    if id(node) in walk.open:
        raise InputError(f"{walk.name}: line {line}: an alias refers to a value that contains "
                         "it (a recursive anchor)")
    walk.open.add(id(node))
    try:
        if isinstance(node, yaml.SequenceNode):
            return [_to_python(item, walk, (*path, i)) for i, item in enumerate(node.value)]
        out: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(f"{walk.name}: line {key_node.start_mark.line + 1}: a key must "
                                 "be a plain value (text, a number or a date)")
            key = _scalar(key_node, walk)
            if key in out:
                raise InputError(
                    f"{walk.name}: line {key_node.start_mark.line + 1}: duplicate key '{key}'"
                )
            out[key] = _to_python(value_node, walk, (*path, key))
            walk.lines[(*path, key)] = key_node.start_mark.line + 1  # errors point at the key
        return out
    finally:
        walk.open.discard(id(node))


def _scalar(node: yaml.ScalarNode, walk: _Walk) -> Any:
    try:
        return walk.loader.construct_object(node, deep=True)
    except (ValueError, OverflowError) as error:  # e.g. the date 2019-02-30
        kind = "date" if node.tag.endswith(":timestamp") else "value"
        raise InputError(f"{walk.name}: line {node.start_mark.line + 1}: '{node.value}' is not "
                         f"a valid {kind} ({error})") from None


def read_yaml(text: str, name: str) -> tuple[Any, Lines]:
    """Parse YAML text strictly.

    Parameters
    ----------
    text
        The YAML document.
    name
        What to call the document in errors (usually its file path).

    Returns
    -------
    tuple
        The parsed object and a map from key path to 1-based line number.

    Raises
    ------
    InputError
        On a syntax error or a duplicate key, naming the line.
    """
    try:
        loader = _StrictLoader(text)  # the reader refuses control characters here
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise InputError(f"{name}: line {line}: not valid YAML (the character "
                         f"#x{error.character:04x} is not allowed)") from None
    walk = _Walk(loader, name)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError(f"{name}: the file is empty")
        return _to_python(node, walk, ()), walk.lines
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise InputError(f"{name}: {where}not valid YAML ({problem})") from None
    finally:
        loader.dispose()


def read_text(path: Path, what: str = "file") -> str:
    """The text of a UTF-8 file.

    Parameters
    ----------
    path
        The file.
    what
        What the file is, for errors ("scenario file", "grid file").

    Raises
    ------
    InputError
        When the file is missing, unreadable, a folder, or not UTF-8 text.
    """
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a {what}") from None
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not a text {what} (byte {error.start} is not UTF-8)") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read the {what} ({error.strerror or error})") from None


def read_yaml_file(path: Path, what: str = "file") -> tuple[Any, Lines]:
    """Read and parse a YAML file strictly (see :func:`read_yaml` and :func:`read_text`)."""
    return read_yaml(read_text(path, what), str(path))


def line_of(lines: Lines, loc: tuple) -> int | None:
    """The line of the deepest known key on the path ``loc``."""
    for depth in range(len(loc), -1, -1):
        if tuple(loc[:depth]) in lines:
            return lines[tuple(loc[:depth])]
    return None


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """A hint naming the closest of ``choices`` to a mistyped ``word``, or an empty string.

    Examples
    --------
    >>> did_you_mean("detention.bedz", ["detention.beds", "courts.judges"])
    "; did you mean 'detention.beds'?"
    """
    names = list(choices)
    keys = {name: name for name in names} | {
        name.rsplit(".", 1)[-1]: name for name in names if "." in name}
    text = str(word)
    close = difflib.get_close_matches(text, list(keys), n=1, cutoff=0.6) or \
        difflib.get_close_matches(text.rsplit(".", 1)[-1], list(keys), n=1, cutoff=0.6)
    return f"; did you mean '{keys[close[0]]}'?" if close else ""


def field_names(model: type[BaseModel]) -> set[str]:
    """The keys a model and the models nested in it accept (for suggestions)."""
    names: set[str] = set()
    todo = [model]
    while todo:
        current = todo.pop()
        for name, info in current.model_fields.items():
            names.add(name)
            for arg in _types_in(info.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel) and arg is not current:
                    todo.append(arg)
    return names


def _types_in(annotation: Any) -> list[Any]:
    args = typing.get_args(annotation)
    return [annotation] if not args else [t for a in args for t in _types_in(a)]


def describe(error: ValidationError, lines: Lines, where: str, model: type[BaseModel],
             prefix: tuple[Any, ...] = ()) -> str:
    """One line per problem in a validated file: file, line, key and what is wrong.

    Parameters
    ----------
    error
        The error of ``model.model_validate`` on the file's data.
    lines
        Line numbers from :func:`read_yaml`.
    where
        The file's name.
    model
        The model validated, whose field names are suggested for an unknown key.
    prefix
        Where in the file the validated data sits (empty for the whole file).
    """
    problems = []
    for item in error.errors():
        loc = (*prefix, *item["loc"])
        if item["type"] == "extra_forbidden":
            msg = "unknown key" + did_you_mean(loc[-1], field_names(model))
        else:
            msg = str(item["msg"]).removeprefix("Value error, ")
        key = ".".join(str(k) for k in loc) or "(top level)"
        problems.append(f"{where}: line {line_of(lines, loc)}: key '{key}': {msg}")
    return "\n".join(problems)
