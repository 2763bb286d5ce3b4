"""A YAML document as a small tree of values that remember the line they were written on.

PyYAML's ``safe_load`` throws positions away, and error messages must name the line. So we
``compose`` the document (nodes keep their marks) and turn the nodes into three plain types.
Scalars keep both the value YAML 1.1 resolved *and* the text as written: ``value: no`` must
stay the option value ``"no"``, not become ``False``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.constructor import SafeConstructor

# Tags whose resolved value we use; timestamps stay text because we parse them ourselves in
# the schedule's time zone, and anything more exotic has no place in a consultation file.
_CONSTRUCTED_TAGS = frozenset(
    {
        "tag:yaml.org,2002:str",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
    }
)
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
# libyaml's parser is ten times faster and reports the same marks; PyYAML falls back to pure
# Python where it was built without it.
_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)


class UnsupportedYaml(yaml.MarkedYAMLError):
    """A construct we refuse (custom tags): reported like a syntax error, with its line."""


@dataclass(frozen=True)
class YamlScalar:
    value: object
    """What YAML resolved: str, int, float, bool or None (timestamps stay str)."""
    text: str
    """The characters as written (without quotes)."""
    line: int


@dataclass
class YamlList:
    items: list[YamlNode]
    line: int


@dataclass(frozen=True)
class YamlEntry:
    key_line: int
    value: YamlNode


@dataclass
class YamlMap:
    entries: dict[str, YamlEntry]
    line: int
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)
    """(name, line, first line) for every key written more than once (YAML keeps the last)."""


YamlNode = YamlScalar | YamlList | YamlMap


def compose_tree(text: str) -> YamlNode | None:
    """Parse one YAML document; ``None`` for an empty one. Raises ``yaml.YAMLError``."""
    node = yaml.compose(text, Loader=_LOADER)
    if node is None:
        return None
    return _Converter().convert(node)


class _Converter:
    def __init__(self) -> None:
        self._constructor = SafeConstructor()
        # Aliases make YAML a graph: converting each node once keeps "billion laughs" small
        # and lets a self-referencing alias terminate.
        self._done: dict[int, YamlNode] = {}

    def convert(self, node: yaml.Node) -> YamlNode:
        done = self._done.get(id(node))
        if done is not None:
            return done
        line = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            scalar = YamlScalar(self._scalar_value(node), str(node.value), line)
            self._done[id(node)] = scalar
            return scalar
        if isinstance(node, yaml.SequenceNode):
            sequence = YamlList([], line)
            self._done[id(node)] = sequence
            sequence.items.extend(self.convert(item) for item in node.value)
            return sequence
        assert isinstance(node, yaml.MappingNode)
        mapping = YamlMap({}, line)
        self._done[id(node)] = mapping
        for key_node, value_node in node.value:
            name = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            key_line = key_node.start_mark.line + 1
            if name in mapping.entries:
                mapping.duplicates.append((name, key_line, mapping.entries[name].key_line))
            mapping.entries[name] = YamlEntry(key_line, self.convert(value_node))
        return mapping

    def _scalar_value(self, node: yaml.ScalarNode) -> object:
        if node.tag == _TIMESTAMP_TAG:
            return str(node.value)
        if node.tag not in _CONSTRUCTED_TAGS:
            raise UnsupportedYaml(
                problem=f"unsupported tag {node.tag!r}", problem_mark=node.start_mark
            )
        return self._constructor.construct_object(node)
