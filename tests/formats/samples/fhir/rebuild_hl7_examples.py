"""Rebuild HL7's FHIR R4B example Claims from the assertions that fhir.resources ships for them.

Provenance tool, run by hand; the tests only read its output. The fhir.resources wheel carries
``fhir/resources/R4B/tests/test_claim.py`` (7.1.0; BSD licence), generated from HL7's R4B
(4.3.0) example resources: one ``impl_claim_N`` per example file, asserting every primitive
value of that file by its path. The example JSON files themselves are not in any wheel or
sdist (the library's test fixture downloads HL7's example archive at test time, which this
project cannot do), so this script turns the assertions back into the JSON they describe:

    python rebuild_hl7_examples.py PATH/TO/fhir/resources/R4B/tests/test_claim.py OUT_DIR

Examples with contained resources are skipped: their assertions give only the contained
resources' ids, not their content. ``HL7-EXAMPLES.md`` beside this file lists what was built.
"""
from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path


def _path(node: ast.AST) -> list:
    """``inst.a.b[0].c`` -> ["a", "b", 0, "c"]."""
    if isinstance(node, ast.Name) and node.id == "inst":
        return []
    if isinstance(node, ast.Attribute):
        return _path(node.value) + [node.attr]
    if isinstance(node, ast.Subscript):
        return _path(node.value) + [node.slice.value]
    raise ValueError(ast.dump(node))


def _value(node: ast.AST):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Call):  # float(12.5) or fhirtypes.Date.validate("2014-08-16")
        return _value(node.args[0])
    raise ValueError(ast.dump(node))


def _set(doc: dict, path: list, value) -> None:
    node = doc
    for key, nxt in zip(path, path[1:]):
        if isinstance(key, int):
            while len(node) <= key:
                node.append(None)
            if node[key] is None:
                node[key] = [] if isinstance(nxt, int) else {}
            node = node[key]
        else:
            node = node.setdefault(key, [] if isinstance(nxt, int) else {})
    last = path[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
        node[last] = value
    else:
        node[last] = value


def rebuild(test_file: Path) -> dict[str, dict]:
    tree = ast.parse(test_file.read_text())
    files = {}
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef) and fn.name.startswith("test_"):
            doc = ast.get_docstring(fn) or ""
            match = re.search(r"Test File: (\S+)", doc)
            if match:
                files[fn.name.replace("test_", "impl_")] = match.group(1)
    out = {}
    for fn in tree.body:
        if not (isinstance(fn, ast.FunctionDef) and fn.name in files):
            continue
        resource = {"resourceType": "Claim"}
        for stmt in fn.body:
            test = stmt.test
            left = test.left.args[0] if isinstance(test.left, ast.Call) else test.left
            value = _value(test.comparators[0])
            _set(resource, _path(left), value)
        if "contained" in resource:
            continue
        out[files[fn.name]] = resource
    return out


def main(argv: list[str]) -> None:
    test_file, out_dir = Path(argv[0]), Path(argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, resource in sorted(rebuild(test_file).items()):
        (out_dir / name).write_text(json.dumps(resource, indent=2) + "\n")
        print(name, len(resource.get("item", [])), "items")


if __name__ == "__main__":
    main(sys.argv[1:])
