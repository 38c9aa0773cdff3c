"""PDF/A clause 6.2.4.3 (device colours need an OutputIntent or a Default colour space) wherever a page paints:
shadings, tiling and shading patterns, Type3 glyph procedures, and paths painted in the initial DeviceGray
black; clause 6.3.3 on the kind of a widget's N appearance; rendering intents (6.2.6) and halftone transfer
functions (6.2.5). Files built with pikepdf, no OutputIntent, so every device colour use is a finding."""

from __future__ import annotations

import io

import pikepdf
import pytest

from fpcli.validation.pdfa import check_pdfa, open_pdf

N = pikepdf.Name


def page_pdf(content: bytes, **resources: object) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0].obj
    page.Contents = pdf.make_stream(content)
    page.Resources = pikepdf.Dictionary(**resources)
    return pdf


def colour_rules(pdf: pikepdf.Pdf) -> dict[str, str]:
    buf = io.BytesIO()
    pdf.save(buf)
    found = check_pdfa(open_pdf(buf.getvalue(), "x.pdf"), "x.pdf")
    return {
        f.rule_id: f.location or "" for f in found if f.rule_id.startswith(("PDFA-6.2.4.3", "PDFA-6.3.3"))
    }


RGB, GRAY = "PDFA-6.2.4.3-2", "PDFA-6.2.4.3-4"


def test_a_shading_painted_with_sh_uses_its_colour_space() -> None:
    shading = pikepdf.Dictionary(
        ShadingType=2, ColorSpace=N.DeviceRGB, Coords=[0, 0, 1, 0],
        Function=pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0], C1=[1, 1, 1], N=1),
    )  # fmt: skip
    found = colour_rules(page_pdf(b"/Sh0 sh", Shading=pikepdf.Dictionary(Sh0=shading)))
    assert RGB in found and "shading" in found[RGB]


def test_a_coloured_tiling_pattern_is_scanned_with_its_own_content() -> None:
    pdf = page_pdf(b"")
    tile = pdf.make_stream(
        b"1 0 0 rg 0 0 5 5 re f", Type=N.Pattern, PatternType=1, PaintType=1, TilingType=1,
        BBox=[0, 0, 5, 5], XStep=5, YStep=5, Resources=pikepdf.Dictionary(),
    )  # fmt: skip
    page = pdf.pages[0].obj
    page.Resources = pikepdf.Dictionary(Pattern=pikepdf.Dictionary(P0=tile))
    page.Contents = pdf.make_stream(b"/Pattern cs /P0 scn 0 0 50 50 re f")
    found = colour_rules(pdf)
    assert RGB in found and "pattern /P0" in found[RGB]


def test_type3_glyphs_starting_with_d0_paint_in_their_own_colours_d1_glyphs_do_not() -> None:
    def with_glyph(proc: bytes) -> dict[str, str]:
        pdf = page_pdf(b"")
        font = pikepdf.Dictionary(
            Type=N.Font, Subtype=N.Type3, FontBBox=[0, 0, 10, 10], FontMatrix=[0.1, 0, 0, 0.1, 0, 0],
            CharProcs=pikepdf.Dictionary(a=pdf.make_stream(proc)), FirstChar=97, LastChar=97, Widths=[10],
            Encoding=pikepdf.Dictionary(Differences=[97, N.a]), Resources=pikepdf.Dictionary(),
        )  # fmt: skip
        page = pdf.pages[0].obj
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(T3=pdf.make_indirect(font)))
        page.Contents = pdf.make_stream(b"0 0 0 rg BT /T3 12 Tf (a) Tj ET")  # text in an RGB, too
        return colour_rules(pdf)

    coloured = with_glyph(b"10 0 d0 0 1 0 0 k 0 0 10 10 re f")
    assert "PDFA-6.2.4.3-3" in coloured and "Type3 font /T3" in coloured["PDFA-6.2.4.3-3"]
    assert "PDFA-6.2.4.3-3" not in with_glyph(b"10 0 0 0 10 10 d1 0 0 10 10 re f")


def test_a_path_painted_before_any_colour_is_set_uses_device_gray() -> None:
    found = colour_rules(page_pdf(b"0 0 10 10 re f"))
    assert GRAY in found and "initial colour" in found[GRAY]
    assert GRAY not in colour_rules(page_pdf(b"0.2 0.2 0.2 rg 0 0 10 10 re f"))
    assert RGB in colour_rules(page_pdf(b"0.2 0.2 0.2 rg 0 0 10 10 re f"))
    # Q restores the initial colour: the second path is painted in it
    assert GRAY in colour_rules(page_pdf(b"q 1 0 0 rg Q 0 0 10 10 re f"))
    # a stroke needs the stroke colour: setting the fill colour does not count
    assert GRAY in colour_rules(page_pdf(b"1 0 0 rg 0 0 m 10 10 l S"))


def test_a_form_inherits_the_colour_set_before_it_is_drawn() -> None:
    pdf = page_pdf(b"")
    form = pdf.make_stream(b"0 0 10 10 re f", Type=N.XObject, Subtype=N.Form, BBox=[0, 0, 10, 10])
    page = pdf.pages[0].obj
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fm0=form))
    page.Contents = pdf.make_stream(b"/DeviceRGB cs 1 0 0 sc /Fm0 Do")
    assert GRAY not in colour_rules(pdf)
    page.Contents = pdf.make_stream(b"/Fm0 Do")
    assert GRAY in colour_rules(pdf)


@pytest.mark.filterwarnings("ignore::UserWarning")  # pikepdf: a widget outside an AcroForm, on purpose
def test_a_button_widget_needs_a_dictionary_of_states_other_annotations_a_stream() -> None:
    pdf = page_pdf(b"")
    stream = pdf.make_stream(b"", Type=N.XObject, Subtype=N.Form, BBox=[0, 0, 10, 10])
    button = pikepdf.Dictionary(
        Type=N.Annot, Subtype=N.Widget, FT=N.Btn, Rect=[0, 0, 10, 10], F=4, AP=pikepdf.Dictionary(N=stream)
    )
    pdf.pages[0].obj.Annots = pdf.make_indirect([pdf.make_indirect(button)])
    assert "PDFA-6.3.3-3" in colour_rules(pdf)
    button.AP = pikepdf.Dictionary(N=pikepdf.Dictionary(On=stream, Off=stream))
    assert "PDFA-6.3.3-3" not in colour_rules(pdf)
    square = pikepdf.Dictionary(
        Type=N.Annot, Subtype=N.Square, Rect=[0, 0, 10, 10], F=4,
        AP=pikepdf.Dictionary(N=pikepdf.Dictionary(On=stream)),
    )  # fmt: skip
    pdf.pages[0].obj.Annots = pdf.make_indirect([pdf.make_indirect(square)])
    assert "PDFA-6.3.3-4" in colour_rules(pdf)


def graphics_rules(pdf: pikepdf.Pdf) -> set[str]:
    buf = io.BytesIO()
    pdf.save(buf)
    found = check_pdfa(open_pdf(buf.getvalue(), "x.pdf"), "x.pdf")
    return {f.rule_id for f in found if f.rule_id.startswith(("PDFA-6.2.5", "PDFA-6.2.6"))}


def test_rendering_intents_are_the_four_standard_ones_everywhere() -> None:
    assert graphics_rules(page_pdf(b"/Perceptual ri")) == set()
    assert graphics_rules(page_pdf(b"/Custom ri")) == {"PDFA-6.2.6-1"}
    gs = pikepdf.Dictionary(Type=N.ExtGState, RI=N.Custom)
    assert graphics_rules(page_pdf(b"/GS0 gs", ExtGState=pikepdf.Dictionary(GS0=gs))) == {"PDFA-6.2.6-1"}
    pdf = page_pdf(b"/Im0 Do")
    image = pdf.make_stream(
        b"\0", Type=N.XObject, Subtype=N.Image, Width=1, Height=1, ColorSpace=N.DeviceGray,
        BitsPerComponent=8, Intent=N.Vivid,
    )  # fmt: skip
    pdf.pages[0].obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    assert graphics_rules(pdf) == {"PDFA-6.2.6-1"}


def test_halftone_transfer_functions_only_for_non_primary_colourants() -> None:
    def with_halftone(**colourants: pikepdf.Dictionary) -> set[str]:
        ht = pikepdf.Dictionary(Type=N.Halftone, HalftoneType=5, **colourants)
        gs = pikepdf.Dictionary(Type=N.ExtGState, HT=ht)
        return graphics_rules(page_pdf(b"/GS0 gs", ExtGState=pikepdf.Dictionary(GS0=gs)))

    def screen(**extra: object) -> pikepdf.Dictionary:
        return pikepdf.Dictionary(
            Type=N.Halftone, HalftoneType=1, Frequency=60, Angle=45, SpotFunction=N.Round, **extra
        )

    assert with_halftone(Default=screen(), Cyan=screen(), Spot=screen(TransferFunction=N.Identity)) == set()
    assert with_halftone(Default=screen(), Red=screen()) == {"PDFA-6.2.5-6"}  # not a primary: needs one
    assert with_halftone(Default=screen(), Black=screen(TransferFunction=N.Identity)) == {"PDFA-6.2.5-6"}
    lone = pikepdf.Dictionary(Type=N.ExtGState, HT=screen(TransferFunction=N.Identity))
    assert graphics_rules(page_pdf(b"/GS0 gs", ExtGState=pikepdf.Dictionary(GS0=lone))) == {"PDFA-6.2.5-6"}


def test_a_colourant_name_that_is_not_utf8_is_found_and_the_walk_goes_on() -> None:
    """pikepdf cannot give the text of a name whose bytes are not UTF-8 (`/Cyan#C2`): the rule is found from the
    name's bytes, and the rest of the file is still checked (an ExtGState with TR after it)."""
    pdf = page_pdf(b"")
    bad = pikepdf.Object.parse(b"/Cyan#C2")
    tint = pdf.make_stream(b"{}", FunctionType=4, Domain=[0, 1, 0, 1], Range=[0, 1, 0, 1, 0, 1, 0, 1])
    space = pikepdf.Array([N.DeviceN, pikepdf.Array([N.Black, bad]), N.DeviceCMYK, tint])
    gs = pikepdf.Dictionary(Type=N.ExtGState, TR=N.Identity)
    pdf.pages[0].obj.Resources = pikepdf.Dictionary(
        ColorSpace=pikepdf.Dictionary(CS0=space), ExtGState=pikepdf.Dictionary(GS0=gs)
    )
    buf = io.BytesIO()
    pdf.save(buf)
    found = {f.rule_id: f.message for f in check_pdfa(open_pdf(buf.getvalue(), "x.pdf"), "x.pdf")}
    assert "not valid UTF-8" in found["PDFA-6.1.8-1"] and "Cyan#" in found["PDFA-6.1.8-1"]
    assert "PDFA-6.2.5-1" in found  # the TR after it was still reached


def test_a_form_naming_a_resource_needs_resources_of_its_own() -> None:
    """6.2.2-2: a form XObject (or Type3 font) that names a resource without a Resources dictionary of its
    own leans on the page's: found; with its own Resources, or naming only device spaces, it is not."""
    pdf = page_pdf(b"")
    font = pikepdf.Dictionary(Type=N.Font, Subtype=N.Type1, BaseFont=N.Helvetica)

    def with_form(content: bytes, **form_extra: object) -> set[str]:
        form = pdf.make_stream(content, Type=N.XObject, Subtype=N.Form, BBox=[0, 0, 10, 10], **form_extra)
        page = pdf.pages[0].obj
        page.Resources = pikepdf.Dictionary(
            XObject=pikepdf.Dictionary(Fm0=form), Font=pikepdf.Dictionary(F1=font)
        )
        page.Contents = pdf.make_stream(b"0 g /Fm0 Do")
        buf = io.BytesIO()
        pdf.save(buf)
        return {f.rule_id for f in check_pdfa(open_pdf(buf.getvalue(), "x.pdf"), "x.pdf")}

    assert "PDFA-6.2.2-2" in with_form(b"BT /F1 9 Tf ET")
    assert "PDFA-6.2.2-2" not in with_form(
        b"BT /F1 9 Tf ET", Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    )
    assert "PDFA-6.2.2-2" not in with_form(b"/DeviceGray cs 0 0 5 5 re f")


def test_overprint_mode_1_must_not_paint_an_icc_cmyk_colour_with_overprinting_on() -> None:
    """6.2.4.2-2, at painting time and per fill/stroke: `op` defaults to `OP`; an ICC RGB space is fine."""
    pdf = page_pdf(b"")
    cmyk = pdf.make_stream(b"\0" * 128, N=4)
    rgb = pdf.make_stream(b"\0" * 128, N=3)

    def paint(content: bytes, gs: pikepdf.Dictionary, profile: pikepdf.Stream = cmyk) -> bool:
        page = pdf.pages[0].obj
        page.Resources = pikepdf.Dictionary(
            ColorSpace=pikepdf.Dictionary(CS0=pikepdf.Array([N.ICCBased, profile])),
            ExtGState=pikepdf.Dictionary(GS0=gs),
        )
        page.Contents = pdf.make_stream(b"/GS0 gs /CS0 cs /CS0 CS 0 0 0 1 sc 0 0 0 1 SC " + content)
        buf = io.BytesIO()
        pdf.save(buf)
        return "PDFA-6.2.4.2-2" in {f.rule_id for f in check_pdfa(open_pdf(buf.getvalue(), "x.pdf"), "x.pdf")}

    stroke_only = pikepdf.Dictionary(Type=N.ExtGState, OP=True, op=False, OPM=1)
    assert paint(b"0 0 m 5 5 l S", stroke_only)
    assert not paint(b"0 0 5 5 re f", stroke_only)  # the fill does not overprint
    assert paint(b"0 0 5 5 re f", pikepdf.Dictionary(Type=N.ExtGState, OP=True, OPM=1))  # op follows OP
    assert not paint(b"0 0 5 5 re f", pikepdf.Dictionary(Type=N.ExtGState, OP=True, OPM=0))
    assert not paint(b"0 0 5 5 re f", pikepdf.Dictionary(Type=N.ExtGState, OP=True, OPM=1), rgb)
