#!/usr/bin/env python3
"""Conformance check of the adapter's EDM answers (issue 19, item 10).

Runs the Commission's Schematron (the 2023 draft under
$OOTS_SHARED/oots-spec/tdd-edm-2023-04/OOTS-EDM/sch, code lists inlined in it) with
pyschematron and the RegRep 4 + SDG 1.0.0 XSDs (XSD 1.1) with xmlschema over answer
files, and compares 2.0 answers with France's 2.0.1-validated reference messages.
Rules that changed after the draft are corrected by the rows of drift.toml, one per
rule id, each replacing the draft's test by the current one — never a blanket ignore.

Usage: check.py [--shared DIR] [--drift FILE] FILE_OR_DIR...
Prints one line per error, `file:rule:message`, then a summary; exits 1 on any error,
2 on a usage or setup error. Needs Python >= 3.12 with pyschematron and xmlschema.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import elementpath
import xmlschema
from elementpath.xpath31 import XPath31Parser
from lxml import etree
from pyschematron import create_validator

NS = {
    "query": "urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0",
    "rim": "urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0",
    "rs": "urn:oasis:names:tc:ebxml-regrep:xsd:rs:4.0",
    "sdg": "http://data.europa.eu/p4s",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "xlink": "http://www.w3.org/1999/xlink",
}
PREFIX = {uri: p for p, uri in NS.items()}
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
SCH = "{http://purl.oclc.org/dsdl/schematron}"
XSI_TYPE = f"{{{NS['xsi']}}}type"
# Roles that make a failed assertion an error; the draft also uses warning and info
# (the TDD's CAUTION), which are reported but do not fail.
FATAL_ROLES = {None, "", "error", "fatal"}
# The Schematron files per kind of message (the draft has no phases: one file per layer,
# C = content, S = structure).
SCHEMATRON = {
    "response": ["EDM-RESP-S.sch", "EDM-RESP-C.sch"],
    "error": ["EDM-ERR-S.sch", "EDM-ERR-C.sch"],
    "request": ["EDM-REQ-S.sch", "EDM-REQ-C.sch"],
}
# France's reference message per kind of 2.0 answer (error: per code, else `erreur.xml`).
FR_REFERENCE = {
    "response": "reponse.xml",
    "EDM:ERR:0003": "erreurRequeteInvalide.xml",
    "EDM:ERR:0005": "erreurExpiration.xml",
    "EDM:ERR:0007": "erreurCapaciteNonSupportee.xml",
    "error": "erreur.xml",
}


@dataclass
class Finding:
    """One failed check: a file, a rule id (or XSD / STRUCT), a message."""

    file: str
    rule: str
    message: str
    fatal: bool = True


@dataclass
class Stats:
    files: int = 0
    drift_used: dict = field(default_factory=dict)
    structure_used: dict = field(default_factory=dict)
    not_fatal: int = 0


def fail_setup(message: str) -> None:
    print(f"conformance: {message}", file=sys.stderr)
    sys.exit(2)


def load_roles(sch_dir: Path) -> dict[str, str | None]:
    """Rule id -> role, read from the .sch (the SVRL of pyschematron omits it)."""
    roles: dict[str, str | None] = {}
    for sch in sch_dir.glob("*.sch"):
        tree = etree.parse(str(sch))
        for node in tree.iter(f"{SCH}assert", f"{SCH}report"):
            rule_role = node.getparent().get("role")
            roles[node.get("id", "")] = node.get("role", rule_role)
    return roles


def load_drift(path: Path) -> tuple[dict[str, dict], list[dict], list[dict]]:
    """The drift table: rule rows by id, the structural rows and the XSD rows."""
    with path.open("rb") as f:
        data = tomllib.load(f)
    rules: dict[str, dict] = {}
    for row in data.get("rule", []):
        for key in ("id", "versions", "draft", "current", "why", "source", "current_test"):
            if key not in row:
                fail_setup(f"{path}: drift row {row.get('id', '?')} lacks `{key}`")
        if row["id"] in rules:
            fail_setup(f"{path}: rule {row['id']} listed twice")
        rules[row["id"]] = row
    structure = data.get("structure", [])
    for row in structure:
        for key in ("path", "kind", "why"):
            if key not in row:
                fail_setup(f"{path}: structure row {row.get('path', '?')} lacks `{key}`")
    xsd = data.get("xsd", [])
    for row in xsd:
        for key in ("id", "versions", "draft", "current", "why", "source", "message", "current_test"):
            if key not in row:
                fail_setup(f"{path}: xsd row {row.get('id', '?')} lacks `{key}`")
        if row["id"] in rules or any(r is not row and r["id"] == row["id"] for r in xsd):
            fail_setup(f"{path}: drift id {row['id']} listed twice")
    return rules, structure, xsd


def prepare_xsd(spec: Path, into: Path) -> xmlschema.XMLSchema11:
    """RegRep 4 + SDG profile 1.0.0 (2023-Q3 revision) through the OOTS driver, XSD 1.1.

    The same set `framework/tests/edm_xsd.rs` uses with xmllint; imports are given local
    locations so nothing is fetched from the network.
    """
    tdd = spec / "tdd-edm-2023-04/OOTS-EDM/xsd"
    for sub in ("regrep4", "xml"):
        for f in (tdd / sub).glob("*.xsd"):
            shutil.copy(f, into / f.name)
    sdg = spec / "oots-poc-xsd/oots-poc/src/main/resources/xsd/sdg/SDG-GenericMetadataProfile-v1.0.0.xsd"
    shutil.copy(sdg, into / sdg.name)
    driver = (tdd / "sdg/oots_driver_v1.0.0.xsd").read_text(encoding="utf-8")
    driver = driver.replace("http://docs.oasis-open.org/regrep/regrep-core/v4.0/os/xsd/", "")
    (into / "oots_driver.xsd").write_text(driver, encoding="utf-8")
    locations = [
        ("http://www.w3.org/XML/1998/namespace", str(into / "xml.xsd")),
        ("http://www.w3.org/1999/xlink", str(into / "xlink.xsd")),
        ("http://www.w3.org/2005/08/addressing", str(into / "ws-addr.xsd")),
    ]
    return xmlschema.XMLSchema11(str(into / "oots_driver.xsd"), locations=locations, allow="local")


def kind_of(root: etree._Element) -> str | None:
    local = etree.QName(root).localname
    if local == "QueryRequest":
        return "request"
    if local != "QueryResponse":
        return None
    return "error" if root.find("rs:Exception", NS) is not None else "response"


def version_of(root: etree._Element) -> str:
    value = root.findtext("rim:Slot[@name='SpecificationIdentifier']/rim:SlotValue/rim:Value", namespaces=NS)
    return (value or "").strip().removeprefix("oots-edm:v")


def flat_view(tree: etree._ElementTree) -> etree._ElementTree:
    """A 2.0 response as the 1.x list the draft's rules address.

    TDD 2.0.1 puts each evidence in a `rim:RegistryPackageType` whose nested list holds
    the evidence objects (R-EDM-RESP-S046/S066, via FR); the draft's paths stop at the
    top list. Here each package is replaced by its members (associations left out), so
    the draft's metadata rules (identifiers, URIs, dates, cid) reach every evidence.
    The packaging itself is what the comparison with France's reference checks.
    """
    view = copy.deepcopy(tree)
    top = view.getroot().find("rim:RegistryObjectList", NS)
    if top is None:
        return view
    for package in list(top):
        if package.get(XSI_TYPE) != "rim:RegistryPackageType":
            continue
        index = top.index(package)
        top.remove(package)
        nested = package.find("rim:RegistryObjectList", NS)
        members = [] if nested is None else list(nested)
        for offset, member in enumerate(m for m in members if m.get(XSI_TYPE) != "rim:AssociationType"):
            top.insert(index + offset, member)
    return view


def excused(row: dict, version: str, tree: etree._ElementTree, location: str) -> bool:
    """Whether a drift row's current test holds at the failed node (never blanket)."""
    if not any(version.startswith(v) for v in row["versions"]):
        return False
    nodes = elementpath.select(tree, location, namespaces=NS, parser=XPath31Parser)
    if not nodes:
        return False
    return all(
        bool(elementpath.select(tree, f"boolean({row['current_test']})", namespaces=NS, item=n, parser=XPath31Parser))
        for n in nodes
    )


class ContextCache:
    """Speeds pyschematron up without changing what it decides.

    For each node and each rule, pyschematron 1.2.5 evaluates the rule's context from
    every ancestor of the node (`_RuleValidator._node_matches_context`), so one ancestor
    is evaluated again for each of its descendants. Within one document the result for
    (rule, ancestor) cannot change, so it is kept for the document's run.
    """

    document = 0

    @classmethod
    def install(cls) -> None:
        from pyschematron.direct_mode.xml_validation import validators  # noqa: PLC0415

        def node_matches_context(self, xml_node, evaluation_context) -> bool:
            cache = self.__dict__.get("_conformance_cache")
            if cache is None or cache[0] != cls.document:
                cache = (cls.document, {})
                self.__dict__["_conformance_cache"] = cache
            current = xml_node
            while current is not None:
                parent = current.parent
                key = id(parent)
                if key not in cache[1]:
                    matches = self._context_query.evaluate(evaluation_context.with_context_item(parent))
                    cache[1][key] = (parent, matches)
                matches = cache[1][key][1]
                if matches and xml_node in matches:
                    return True
                current = parent
            return False

        validators._RuleValidator._node_matches_context = node_matches_context


class Checker:
    """Compiled once per run: the Schematron validators, the XSD, roles and drift."""

    def __init__(self, spec: Path, drift: Path, workdir: Path) -> None:
        if os.environ.get("EDM_CONFORMANCE_NO_CACHE") != "1":
            ContextCache.install()
        sch_dir = spec / "tdd-edm-2023-04/OOTS-EDM/sch"
        if not sch_dir.is_dir():
            fail_setup(f"no Schematron at {sch_dir} (set OOTS_SHARED or --shared)")
        self.validators = {
            kind: [(name, create_validator(sch_dir / name)) for name in names] for kind, names in SCHEMATRON.items()
        }
        self.roles = load_roles(sch_dir)
        self.drift, self.structure, self.xsd_drift = load_drift(drift)
        for rule in self.drift:
            if rule not in self.roles:
                fail_setup(f"{drift}: drift row {rule} names no rule of the Schematron")
        self.xsd = prepare_xsd(spec, workdir)
        self.fr_dir = spec / "oots-france/spec/fixtures/reference/messages"
        self.stats = Stats()

    def check(self, path: Path) -> list[Finding]:
        name = str(path)
        try:
            tree = etree.parse(str(path))
        except etree.XMLSyntaxError as e:
            return [Finding(name, "XML", f"not well-formed: {e}")]
        root = tree.getroot()
        kind = kind_of(root)
        if kind is None:
            return [Finding(name, "KIND", f"not an EDM message: root {root.tag}")]
        self.stats.files += 1
        version = version_of(root)
        findings = []
        for e in self.xsd.iter_errors(tree):
            message = self.xsd_message(e)
            row = self.xsd_excused(e, message, version, tree)
            if row is not None:
                self.stats.drift_used[row["id"]] = self.stats.drift_used.get(row["id"], 0) + 1
            else:
                findings.append(Finding(name, "XSD", message))
        view = flat_view(tree) if version.startswith("2") and kind == "response" else tree
        for sch_name, validator in self.validators[kind]:
            findings += self.schematron(name, version, view, sch_name, validator)
        if version.startswith("2") and kind != "request":
            from structure import compare  # noqa: PLC0415 — sibling module, after sys.path is set

            findings += compare(name, root, kind, self.fr_dir, FR_REFERENCE, self.structure, self.stats)
        return findings

    def xsd_excused(self, error, message: str, version: str, tree: etree._ElementTree) -> dict | None:
        """The XSD row whose message pattern matches `error` and whose current test holds
        at the element it names, if any (never a blanket pass)."""
        for row in self.xsd_drift:
            if not any(version.startswith(v) for v in row["versions"]):
                continue
            if re.search(row["message"], message) is None or not error.path:
                continue
            nodes = tree.xpath(error.path, namespaces=NS)
            if nodes and all(
                bool(elementpath.select(tree, f"boolean({row['current_test']})", namespaces=NS, item=n, parser=XPath31Parser))
                for n in nodes
            ):
                return row
        return None

    @staticmethod
    def xsd_message(error: xmlschema.XMLSchemaValidationError) -> str:
        reason = (error.reason or str(error)).splitlines()[0]
        return f"{error.path}: {reason}"

    def schematron(self, name, version, tree, sch_name, validator) -> list[Finding]:
        out = []
        ContextCache.document += 1
        svrl = validator.validate(tree).get_svrl().getroot()
        for node in svrl.iter(f"{SVRL}failed-assert", f"{SVRL}successful-report"):
            rule = node.get("id", sch_name)
            text = " ".join("".join(node.itertext()).split())
            row = self.drift.get(rule)
            if row is not None and excused(row, version, tree, node.get("location", "")):
                self.stats.drift_used[rule] = self.stats.drift_used.get(rule, 0) + 1
                continue
            fatal = self.roles.get(rule) in FATAL_ROLES
            if not fatal:
                self.stats.not_fatal += 1
            out.append(Finding(name, rule, f"{text} (at {short_location(node.get('location', ''))})", fatal))
        return out


def short_location(location: str) -> str:
    for uri, prefix in PREFIX.items():
        location = location.replace(f"Q{{{uri}}}", f"{prefix}:")
    return location


def answer_files(args: list[str]) -> list[Path]:
    files: list[Path] = []
    for a in args:
        p = Path(a)
        if p.is_dir():
            files += sorted(f for f in p.rglob("*.xml") if f.is_file())
        elif p.is_file():
            files.append(p)
        else:
            fail_setup(f"{a}: no such file or folder")
    return files


CHECKER: Checker | None = None


def check_one(path: Path) -> tuple[list[Finding], Stats]:
    """One file in a worker (forked after the checker was compiled: nothing is rebuilt)."""
    assert CHECKER is not None
    CHECKER.stats = Stats()
    findings = CHECKER.check(path)
    return findings, CHECKER.stats


def merge(into: Stats, part: Stats) -> None:
    into.files += part.files
    into.not_fatal += part.not_fatal
    for total, counts in ((into.drift_used, part.drift_used), (into.structure_used, part.structure_used)):
        for key, n in counts.items():
            total[key] = total.get(key, 0) + n


def main() -> int:
    global CHECKER
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=os.environ.get("OOTS_SHARED"), help="the shared/ folder")
    parser.add_argument("--drift", default=str(Path(__file__).with_name("drift.toml")))
    parser.add_argument("--show-warnings", action="store_true", help="print warning/info findings too")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--summary-json", help="also write the summary as JSON to this file")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    if not args.shared:
        fail_setup("set OOTS_SHARED or pass --shared")
    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    sys.path.insert(0, str(Path(__file__).parent))
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        CHECKER = Checker(Path(args.shared) / "oots-spec", Path(args.drift), Path(tmp))
        compiled = time.monotonic()
        files = answer_files(args.paths)
        if args.jobs > 1 and len(files) > 1:
            with multiprocessing.get_context("fork").Pool(min(args.jobs, len(files))) as pool:
                results = pool.map(check_one, files, chunksize=1)
        else:
            results = [check_one(f) for f in files]
    done = time.monotonic()
    stats = Stats()
    errors = 0
    for findings, part in results:
        merge(stats, part)
        for finding in findings:
            if finding.fatal:
                errors += 1
                print(f"{finding.file}:{finding.rule}:{finding.message}")
            elif args.show_warnings:
                print(f"{finding.file}:{finding.rule}:(not fatal) {finding.message}")
    rate = stats.files / (done - compiled) if done > compiled else 0.0
    print(
        f"conformance: {stats.files} files, {errors} errors, {stats.not_fatal} warnings/info (not fatal), "
        f"drift applied {sum(stats.drift_used.values())} times over {len(stats.drift_used)} rules "
        f"{sorted(stats.drift_used)}, structure rows used {len(stats.structure_used)} of {len(CHECKER.structure)}; "
        f"setup {compiled - started:.2f}s, checks {done - compiled:.2f}s, {rate:.2f} files/s, {args.jobs} jobs"
    )
    if args.summary_json:
        summary = {
            "files": stats.files,
            "errors": errors,
            "not_fatal": stats.not_fatal,
            "drift_used": sorted(stats.drift_used),
            "drift_unused": sorted((set(CHECKER.drift) | {r["id"] for r in CHECKER.xsd_drift}) - set(stats.drift_used)),
            "structure_unused": sorted({f"{r['path']} {r['kind']}" for r in CHECKER.structure} - set(stats.structure_used)),
            "setup_seconds": round(compiled - started, 3),
            "check_seconds": round(done - compiled, 3),
            "files_per_second": round(rate, 3),
            "jobs": args.jobs,
        }
        Path(args.summary_json).write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
