"""Strict YAML reading: duplicate keys are errors and every node keeps its line number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class InputError(ValueError):
    """A parameter, scenario or request that cannot be used, with where and why.

    Parameters
    ----------
    message
        What is wrong, naming the file, the key and the line where known.
    """


Lines = dict[tuple[Any, ...], int]


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys."""


def _to_python(node: yaml.Node, loader: _StrictLoader, path: tuple, lines: Lines, name: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in out:
                raise InputError(
                    f"{name}: line {key_node.start_mark.line + 1}: duplicate key '{key}'"
                )
            out[key] = _to_python(value_node, loader, (*path, key), lines, name)
            lines[(*path, key)] = key_node.start_mark.line + 1  # errors point at the key
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_python(item, loader, (*path, i), lines, name) for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


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
    loader = _StrictLoader(text)
    lines: Lines = {}
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError(f"{name}: the file is empty")
        return _to_python(node, loader, (), lines, name), lines
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise InputError(f"{name}: {where}not valid YAML ({problem})") from None
    finally:
        loader.dispose()


def read_yaml_file(path: Path) -> tuple[Any, Lines]:
    """Read and parse a YAML file strictly (see :func:`read_yaml`)."""
    return read_yaml(Path(path).read_text(encoding="utf-8"), str(path))


def line_of(lines: Lines, loc: tuple) -> int | None:
    """The line of the deepest known key on the path ``loc``."""
    for depth in range(len(loc), -1, -1):
        if tuple(loc[:depth]) in lines:
            return lines[tuple(loc[:depth])]
    return None
