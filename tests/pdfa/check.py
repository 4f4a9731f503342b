"""Independent PDF/A-2 structure check of the adapter's PDF renditions (PyPI pikepdf,
which wraps qpdf). Used by framework/tests/render_pdf.rs (PDF_CHECK_PYTHON).

    python check.py FILE.pdf [FILE.pdf ...] [--without-lang FILE.pdf ...]

For each file, asserts: it opens with no repair and no warnings; qpdf's structural
check (pikepdf's Pdf.check_pdf_syntax, as `qpdf --check`) reports nothing; no encryption; the
header and binary comment of PDF/A; a trailer /ID; XMP metadata with pdfaid:part 2 and
conformance A, B or U (A also needs a tag tree and /MarkInfo /Marked true); an
OutputIntent GTS_PDFA1 with an ICC profile; every font embedded (FontFile2/3) and
subsetted (ABCDEF+ name prefix) with a ToUnicode map; a catalog /Lang (unless the file
is listed after --without-lang). Prints one line per file; exits 1 on the first failure.
"""

import re
import sys

import pikepdf


class Failure(Exception):
    pass


def require(condition, message):
    if not condition:
        raise Failure(message)


def fonts_of(pdf):
    """Every font dictionary reachable from the pages' resources, by object id."""
    seen = {}
    for page in pdf.pages:
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        fonts = resources.get("/Font", pikepdf.Dictionary())
        for key in fonts.keys():
            seen[fonts[key].objgen] = fonts[key]
    return list(seen.values())


def check_font(font):
    name = str(font.get("/BaseFont", ""))
    require(font.get("/Subtype") != "/Type1" or "/FontDescriptor" in font,
            f"font {name}: a non-embedded standard font")
    require("/ToUnicode" in font, f"font {name}: no ToUnicode map")
    descendants = font.get("/DescendantFonts")
    leaf = descendants[0] if descendants is not None else font
    descriptor = leaf.get("/FontDescriptor")
    require(descriptor is not None, f"font {name}: no font descriptor")
    require("/FontFile2" in descriptor or "/FontFile3" in descriptor,
            f"font {name}: not embedded (no FontFile2/FontFile3)")
    require(re.fullmatch(r"/[A-Z]{6}\+.+", name) is not None,
            f"font {name}: not marked as a subset (ABCDEF+ prefix)")
    return name


def check(path, want_lang):
    with open(path, "rb") as f:
        head = f.read(64)
    require(re.match(rb"%PDF-1\.[4-7]\r?\n", head) is not None, "header is not %PDF-1.4..1.7")
    second = head.split(b"\n", 2)[1]
    require(second.startswith(b"%") and sum(b >= 128 for b in second[:5]) >= 4,
            "no binary comment after the header")

    pdf = pikepdf.open(path, attempt_recovery=False)
    require(not pdf.is_encrypted, "encrypted")
    require(not pdf.get_warnings(), f"opened with warnings: {pdf.get_warnings()}")
    problems = pdf.check_pdf_syntax()
    require(not problems, f"qpdf check: {problems}")
    require("/Encrypt" not in pdf.trailer, "trailer /Encrypt")
    require("/ID" in pdf.trailer, "no trailer /ID")

    meta = pdf.open_metadata()
    part = meta.get("pdfaid:part")
    conformance = meta.get("pdfaid:conformance")
    require(part == "2", f"XMP pdfaid:part is {part!r}, not 2")
    require(conformance in ("A", "B", "U"), f"XMP pdfaid:conformance is {conformance!r}")

    root = pdf.Root
    intents = [oi for oi in root.get("/OutputIntents", []) if oi.get("/S") == "/GTS_PDFA1"]
    require(intents, "no OutputIntent with /S /GTS_PDFA1")
    profile = intents[0].get("/DestOutputProfile")
    require(isinstance(profile, pikepdf.Stream), "the OutputIntent has no ICC profile")
    require(profile.read_bytes()[36:40] == b"acsp", "DestOutputProfile is not an ICC profile")

    if want_lang:
        require(str(root.get("/Lang", "")).strip() != "", "no catalog /Lang")
    if conformance == "A":
        require("/StructTreeRoot" in root, "PDF/A-2a without a tag tree")
        mark = root.get("/MarkInfo", pikepdf.Dictionary())
        require(bool(mark.get("/Marked", False)), "PDF/A-2a without /MarkInfo /Marked true")

    fonts = fonts_of(pdf)
    require(fonts, "no fonts")
    names = [check_font(font) for font in fonts]
    print(f"OK {path}: PDF/A-{part}{conformance.lower()}, lang {root.get('/Lang', '-')}, "
          f"{len(pdf.pages)} page(s), fonts {', '.join(names)}")


def main(args):
    files, without = [], set()
    target = files
    for arg in args:
        if arg == "--without-lang":
            target = None
            continue
        if target is None:
            without.add(arg)
        files.append(arg)
    require(files, "no files given")
    for path in files:
        try:
            check(path, path not in without)
        except Failure as failure:
            print(f"FAIL {path}: {failure}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
