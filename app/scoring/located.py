"""YAML read into plain values that remember where each came from, so errors can say file:line:column."""
from difflib import get_close_matches

import yaml
from yaml.constructor import ConstructorError, SafeConstructor


class Problems(Exception):
    """Everything wrong with a set of files, each problem prefixed with its place."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


class Located:
    """The values of one YAML file and the position of every mapping value and list item in it."""

    def __init__(self, path, text):
        self.path = str(path)
        self.marks = {}
        self.key_marks = {}
        self.problems = []
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            raise Problems([f"{self.path}:{mark.line + 1}:{mark.column + 1}: invalid YAML: {err.problem}"]) from None
        self.root_mark = node.start_mark if node is not None else None
        self.value = self.plain(node) if node is not None else None

    def plain(self, node):
        if isinstance(node, yaml.MappingNode):
            result = {}
            for key_node, value_node in node.value:
                key = self.plain(key_node)
                if key in result:
                    self.problems.append(f"{self.at(value_node.start_mark)}: {key!r} is given twice")
                result[key] = self.plain(value_node)
                self.marks[id(result), key] = value_node.start_mark
                self.key_marks[id(result), key] = key_node.start_mark
            self.marks[id(result)] = node.start_mark
            return result
        if isinstance(node, yaml.SequenceNode):
            result = []
            for index, item in enumerate(node.value):
                result.append(self.plain(item))
                self.marks[id(result), index] = item.start_mark
            self.marks[id(result)] = node.start_mark
            return result
        try:
            return SafeConstructor().construct_object(node)
        except ConstructorError as err:
            self.problems.append(f"{self.at(node.start_mark)}: {err.problem}")
            return None

    def at(self, mark):
        return f"{self.path}:{mark.line + 1}:{mark.column + 1}"

    def where(self, container, key=None):
        """'file:line:col' of container[key] (or of the container itself)."""
        mark = self.marks.get((id(container), key)) if key is not None else None
        mark = mark or self.marks.get(id(container)) or self.root_mark
        return self.at(mark) if mark else self.path

    def where_key(self, container, key):
        """'file:line:col' of a mapping key itself (where a misspelt name is)."""
        mark = self.key_marks.get((id(container), key))
        return self.at(mark) if mark else self.where(container, key)


def nearest(name, known):
    """' (did you mean ...?)' naming the closest known names, or ''."""
    close = get_close_matches(str(name), list(known), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""
