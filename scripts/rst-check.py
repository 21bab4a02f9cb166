#!/usr/bin/env python3
"""rst-check.py FILE...: check kernel reStructuredText with docutils alone.

Parses each file as docutils would for Sphinx, with the kernel's own
directives (kernel-doc, kernel-abi, flat-table, ...) and Sphinx's roles and
directives (toctree, c:func, ref, ...) accepted without being run, and
prints every docutils message of level WARNING and above as
FILE:LINE: LEVEL: text.  Exits 1 when it printed any.  It checks what
docutils can: markup, sections, lists, tables, literal blocks, targets; not
cross references, which need a Sphinx build.
"""
import sys

from docutils import nodes, utils
from docutils.core import publish_doctree
from docutils.parsers.rst import Directive, directives, roles


class Accept(Directive):
    """A directive whose content is kept as a literal block, unchecked."""
    has_content = True
    optional_arguments = 99
    final_argument_whitespace = True
    option_spec = None

    def run(self):
        return [nodes.literal_block("", "\n".join(self.content))]


class AcceptAnyOption(dict):
    def __missing__(self, key):
        return directives.unchanged


Accept.option_spec = AcceptAnyOption()

for name in ("kernel-doc", "kernel-abi", "kernel-feat", "kernel-include",
             "maintainers-include", "flat-table", "toctree", "only", "c:function",
             "c:struct", "c:macro", "c:type", "c:union", "c:enum", "c:var",
             "c:member", "c:namespace", "cssclass", "highlight", "code-block",
             "literalinclude", "glossary", "tabularcolumns", "index",
             "kernel-figure", "kernel-image", "kernel-render", "seealso",
             "versionadded", "versionchanged", "deprecated"):
    directives.register_directive(name, Accept)


def accept_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    return [nodes.literal(rawtext, utils.unescape(text))], []


for name in ("c:func", "c:type", "c:macro", "c:member", "c:struct", "c:union",
             "c:enum", "c:data", "c:expr", "c:var", "ref", "doc", "manpage",
             "numref", "term", "abbr", "file", "samp", "kbd", "menuselection",
             "envvar", "option", "command", "program", "download"):
    roles.register_local_role(name, accept_role)


def main():
    bad = 0
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        msgs = []

        class Catch:
            def write(self, s):
                if s.strip():
                    msgs.append(s.strip())

        publish_doctree(text, source_path=path,
                        settings_overrides={"report_level": 2, "halt_level": 5,
                                            "warning_stream": Catch(),
                                            "file_insertion_enabled": False,
                                            "raw_enabled": False})
        for m in msgs:
            print(m)
            bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
