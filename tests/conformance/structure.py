"""Structural comparison of a 2.0 answer with France's reference message of its kind.

France's reference messages (oots-france spec/fixtures/reference/messages, validated by
its CI against the TDD 2.0.1 Schematron) stand in for the 2.0.1 artefacts we lack.
Compared: element paths (slots by name, registry objects by xsi:type), the attribute
names on each path, and the order of the children both have. Values are not compared.
A difference is an error unless a `[[structure]]` row of drift.toml lists it
(kinds: missing, extra, attribute — path ending `/@name` —, order).
"""

from __future__ import annotations

from pathlib import Path

import elementpath
from elementpath.xpath31 import XPath31Parser
from lxml import etree

NS_PREFIX = {
    "urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0": "query",
    "urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0": "rim",
    "urn:oasis:names:tc:ebxml-regrep:xsd:rs:4.0": "rs",
    "http://data.europa.eu/p4s": "sdg",
    "http://www.w3.org/2001/XMLSchema-instance": "xsi",
    "http://www.w3.org/1999/xlink": "xlink",
}
NAMESPACES = {p: uri for uri, p in NS_PREFIX.items()}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:4.0"


def qname(tag: str) -> str:
    q = etree.QName(tag)
    prefix = NS_PREFIX.get(q.namespace or "", q.namespace or "")
    return f"{prefix}:{q.localname}" if prefix else q.localname


def segment(el: etree._Element) -> str:
    """One path step: slots by their name, registry objects by their type."""
    name = qname(el.tag)
    if name == "rim:Slot":
        return f"{name}[{el.get('name')}]"
    if name == "rim:RegistryObject":
        return f"{name}[{el.get(XSI_TYPE)}]"
    return name


def shape(root: etree._Element):
    """Paths in document order, attribute names per path, child order per path."""
    order: list[str] = []
    attributes: dict[str, set[str]] = {}
    children: dict[str, list[str]] = {}

    def walk(el: etree._Element, path: str) -> None:
        if path not in attributes:
            order.append(path)
            attributes[path] = set()
        attributes[path] |= {qname(a) for a in el.attrib}
        kids = children.setdefault(path, [])
        for child in el:
            if not isinstance(child.tag, str):
                continue
            child_path = f"{path}/{segment(child)}"
            if child_path not in kids:
                kids.append(child_path)
            walk(child, child_path)

    walk(root, segment(root))
    return order, attributes, children


def reference_for(root: etree._Element, kind: str, fr_dir: Path, names: dict[str, str]) -> Path:
    if kind == "response":
        return fr_dir / names["response"]
    code = root.find(f"{{{RS}}}Exception")
    return fr_dir / names.get(code.get("code", "") if code is not None else "", names["error"])


def allowed(rows: list[dict], kind: str, path: str, root, stats) -> bool:
    """Whether a row lists this difference: same kind, its path or below, and its
    optional `when` (XPath 3.1 on the answer's root) holds."""
    for row in rows:
        if row["kind"] != kind or not (path == row["path"] or path.startswith(row["path"] + "/")):
            continue
        when = row.get("when")
        if when and not elementpath.select(root, f"boolean({when})", namespaces=NAMESPACES, parser=XPath31Parser):
            continue
        key = f"{row['path']} {row['kind']}"
        stats.structure_used[key] = stats.structure_used.get(key, 0) + 1
        return True
    return False


def compare(name: str, root, kind: str, fr_dir: Path, names: dict[str, str], rows: list[dict], stats) -> list:
    from check import Finding  # noqa: PLC0415 — avoids an import cycle at load time

    ref_path = reference_for(root, kind, fr_dir, names)
    ours, our_attrs, our_children = shape(root)
    theirs, their_attrs, their_children = shape(etree.parse(str(ref_path)).getroot())
    ref = ref_path.name
    out = []

    def differ(what: str, path: str, message: str) -> None:
        if not allowed(rows, what, path, root, stats):
            out.append(Finding(name, "STRUCT", f"{what} {path}: {message} (France's {ref})"))

    def under_reported(path: str, reported: list[str]) -> bool:
        return any(path.startswith(p + "/") for p in reported)

    reported: list[str] = []
    for path in theirs:
        if path not in our_attrs and not under_reported(path, reported):
            reported.append(path)
            differ("missing", path, "in the reference, not in ours")
    reported = []
    for path in ours:
        if path not in their_attrs and not under_reported(path, reported):
            reported.append(path)
            differ("extra", path, "in ours, not in the reference")
    for path in ours:
        if path in their_attrs:
            for attribute in sorted(our_attrs[path] ^ their_attrs[path]):
                side = "ours" if attribute in our_attrs[path] else "the reference"
                differ("attribute", f"{path}/@{attribute}", f"only in {side}")
        if path in their_children:
            common_ours = [c for c in our_children[path] if c in their_attrs]
            common_theirs = [c for c in their_children[path] if c in our_attrs]
            if common_ours != common_theirs:
                differ("order", path, f"ours {short(common_ours)}, the reference {short(common_theirs)}")
    return out


def short(paths: list[str]) -> list[str]:
    return [p.rsplit("/", 1)[-1] for p in paths]
