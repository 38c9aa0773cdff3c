"""The visible signature stamp: text in an embedded TrueType font (PDF/A forbids non-embedded fonts), with
glyph metrics in the units PDF requires.

pyHanko's glyph accumulator writes the CIDFont's widths (/W), the TJ kerning adjustments and the font
descriptor's metrics in the font's own design units, while PDF reads them as 1/1000 em. For a font whose
`unitsPerEm` is not 1000 (DejaVu/Vera: 2048) every glyph is twice too wide: viewers spread the letters and
cut the text, and the widths disagree with the embedded program (PDF/A-2/3 clause 6.2.11.5). This accumulator
shapes with HarfBuzz at 1000 units per em and scales the font's own metrics the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

STAMP_TEXT = "Signé par %(signer)s\n%(ts)s"


def _font_path() -> Path:
    import reportlab

    return Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"


def _scaled(value: Any, scale: float) -> Any:
    from pyhanko.pdf_utils import generic

    return generic.NumberObject(round(float(value) * scale))  # type: ignore[no-untyped-call]


def font_factory(font_file: Path | None = None) -> Any:
    """A pyHanko font engine factory whose engines write metrics in 1/1000 em."""
    from dataclasses import dataclass

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory

    class ThousandUnitsAccumulator(GlyphAccumulator):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._scale = 1000 / self.units_per_em
            self.hb_font.scale = (1000, 1000)  # HarfBuzz advances and offsets in 1/1000 em
            self.units_per_em = 1000
            fd = self.cidfont_obj._font_descriptor
            for key in ("/Ascent", "/Descent", "/CapHeight"):
                if key in fd:
                    fd[key] = _scaled(fd[key], self._scale)
            fd["/FontBBox"] = generic.ArrayObject(_scaled(v, self._scale) for v in fd["/FontBBox"])

        def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
            if glyph_id in self._glyphs:
                return self._glyphs[glyph_id]
            cid, width = super()._get_cid_and_width(glyph_id)  # design units, cached by the parent
            self._glyphs[glyph_id] = result = (cid, round(width * self._scale))
            return result

    @dataclass(frozen=True)
    class Factory(GlyphAccumulatorFactory):
        def create_font_engine(self, writer: Any, obj_stream: Any = None) -> Any:
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            with Path(self.font_file).open("rb") as handle:  # the accumulator reads it all at once
                data = handle.read()
            import io

            return ThousandUnitsAccumulator(
                writer=writer, font_handle=io.BytesIO(data), font_size=self.font_size, obj_stream=obj_stream
            )

    return Factory(str(font_file or _font_path()))


def stamp_style() -> Any:
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    return TextStampStyle(stamp_text=STAMP_TEXT, text_box_style=TextBoxStyle(font=font_factory()))
