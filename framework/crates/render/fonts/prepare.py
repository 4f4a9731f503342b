"""Prepares the bundled fonts from Debian's fonts-dejavu-core 2.37 (DejaVu Sans, Bold).

Run with PyPI fonttools 4.68.0:
    python prepare.py /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf DejaVuSans.ttf
    python prepare.py /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf DejaVuSans-Bold.ttf

Every glyph, outline, advance and name record (copyright, license) is kept. Removed:
TrueType hinting (instructions, fpgm/prep/cvt/gasp), which a PDF viewer at any zoom does
not need, and the OpenType layout and kerning tables the renderer does not read. Each
PDF embeds a subset of these files, so a smaller subset is less to compress per render.
"""

import sys

from fontTools.ttLib import TTFont

DROP = ["fpgm", "prep", "cvt ", "gasp", "hdmx", "LTSH", "VDMX", "GPOS", "GSUB", "GDEF",
        "kern", "MATH", "FFTM"]


def main(source: str, target: str) -> None:
    font = TTFont(source)
    for tag in DROP:
        if tag in font:
            del font[tag]
    glyf = font["glyf"]
    for name in font.getGlyphOrder():
        glyf[name].removeHinting()
    maxp = font["maxp"]
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                  "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    # The head flag "instructions may depend on point size" no longer applies.
    font["head"].flags &= ~(1 << 4)
    font.save(target)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
