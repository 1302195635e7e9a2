"""Reading a cross-section file: its text (size-limited) and its YAML data, with the line of
every mapping, key and list item for messages. PyYAML's safe loader (no tags that run code);
duplicate keys, non-text keys, integer literals of too many digits, alias bombs and too deep
nesting are refused in one line naming the file (:mod:`.limits`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from .limits import MAX_INPUT_BYTES, MAX_NUMBER_DIGITS, MAX_YAML_DEPTH, MAX_YAML_NODES


class Map(dict):
    line = 0
    key_lines: dict[str, int]


class Seq(list):
    line = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


def _map(loader: _Loader, node: yaml.MappingNode) -> Map:
    loader.flatten_mapping(node)
    out = Map()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for k_node, v_node in node.value:
        key = loader.construct_object(k_node, deep=True)
        if not isinstance(key, str):
            raise InputError(f"line {k_node.start_mark.line + 1}: keys must be text, got {_short(key)}")
        if key in out:
            raise InputError(f"line {k_node.start_mark.line + 1}: duplicate key {key!r}")
        out[key] = loader.construct_object(v_node, deep=True)
        out.key_lines[key] = k_node.start_mark.line + 1
    return out


def _seq(loader: _Loader, node: yaml.SequenceNode) -> Seq:
    out = Seq(loader.construct_object(c, deep=True) for c in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [c.start_mark.line + 1 for c in node.value]
    return out


def _int(loader: _Loader, node: yaml.ScalarNode) -> int:
    digits = sum(ch.isdigit() for ch in node.value)
    if digits > MAX_NUMBER_DIGITS:
        raise InputError(
            f"line {node.start_mark.line + 1}: an integer of {digits:,} digits: at most {MAX_NUMBER_DIGITS} "
            "(write large or small values as 1.5e9)"
        )
    return loader.construct_yaml_int(node)


_Loader.add_constructor("tag:yaml.org,2002:map", _map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _seq)
_Loader.add_constructor("tag:yaml.org,2002:int", _int)


def brief(v: Any, depth: int = 0) -> str:
    """A value for a message, bounded whatever its size: at most 4 items of a list or mapping,
    2 levels deep, 60 characters (a list from YAML aliases may be astronomic expanded)."""
    if isinstance(v, list | tuple):
        if depth >= 2:
            return "[...]"
        items = [brief(x, depth + 1) for x in v[:4]]
        text = "[" + ", ".join(items) + (", ..." if len(v) > 4 else "") + "]"
    elif isinstance(v, dict):
        if depth >= 2:
            return "{...}"
        items = [f"{brief(k, depth + 1)}: {brief(x, depth + 1)}" for k, x in list(v.items())[:4]]
        text = "{" + ", ".join(items) + (", ..." if len(v) > 4 else "") + "}"
    else:
        text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


_short = brief


def read_text(path: str | Path) -> str:
    """A cross-section file's text; a missing, unreadable, binary or too large file is one line."""
    p = Path(path)
    try:
        with open(p, "rb") as f:
            data = f.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a directory, not a YAML file") from None
    except OSError as e:
        raise InputError(f"{p}: cannot read: {e.strerror or e}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{p}: larger than {MAX_INPUT_BYTES // 2**20} MiB: not a cross-section file")
    if b"\0" in data:
        raise InputError(f"{p}: a binary file, not a YAML file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{p}: cannot read: not UTF-8 text ({e.reason} at byte {e.start})") from None


def _check_size(node: yaml.Node, p: Path) -> None:
    """The composed document's size with every alias expanded, and its depth, within the limits
    (an alias bomb is small as a graph and astronomic expanded): counted on the graph, each shared
    node once, without expanding anything."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    # iterative post-order over the graph (YAML aliases make a DAG; recursion would be the risk)
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        n, done = stack.pop()
        if id(n) in size:
            continue
        children = _children(n)
        if not done:
            stack.append((n, True))
            stack.extend((c, False) for c in children if id(c) not in size)
            if len(stack) > 4 * MAX_YAML_NODES:
                raise InputError(f"{p}: more than {MAX_YAML_NODES:,} values: not a cross-section file")
            continue
        size[id(n)] = 1 + sum(size.get(id(c), 0) for c in children)
        depth[id(n)] = 1 + max((depth.get(id(c), 0) for c in children), default=0)
        line = n.start_mark.line + 1
        if size[id(n)] > MAX_YAML_NODES:
            raise InputError(
                f"{p}:{line}: more than {MAX_YAML_NODES:,} values with its aliases expanded: not a cross-section file"
            )
        if depth[id(n)] > MAX_YAML_DEPTH:
            raise InputError(f"{p}:{line}: nested more than {MAX_YAML_DEPTH} levels deep")


def _children(n: yaml.Node) -> list[yaml.Node]:
    if isinstance(n, yaml.MappingNode):
        return [x for pair in n.value for x in pair]
    if isinstance(n, yaml.SequenceNode):
        return list(n.value)
    return []


def yaml_data(text: str, path: str | Path) -> Any:
    """The YAML data of a file's ``text`` (with line numbers for messages)."""
    p = Path(path)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError(f"{p}: file is empty")
        _check_size(node, p)
        data = loader.construct_document(node)
    except InputError as e:
        msg = str(e)
        raise InputError(f"{p}:{msg.removeprefix('line ')}" if msg.startswith("line ") else msg) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f"{mark.line + 1}" if mark is not None else "?"
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise InputError(f"{p}:{line}: invalid YAML: {problem}") from None
    except RecursionError:
        raise InputError(f"{p}: nested more than {MAX_YAML_DEPTH} levels deep") from None
    except (ValueError, OverflowError) as e:  # a scalar YAML's constructors cannot take
        raise InputError(f"{p}: invalid value: {' '.join(str(e).split())[:120]}") from None
    finally:
        loader.dispose()
    if data is None:
        raise InputError(f"{p}: file is empty")
    return data
