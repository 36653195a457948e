"""Finish a PDF printed by Chromium: reproducible bytes, complete document information, clean outline.

Chromium's PDF differs between two prints of the same page in two places, both rewritten here in place with
bytes of the same length (so the cross-reference offsets stay valid):

- ``/CreationDate`` and ``/ModDate`` are the clock time: blanked (PDF white space);
- structure elements carry ``/ID (node00001234)``, the renderer's running DOM node number, and table cells
  name their header cells by it (``/Headers [(node00001234)]``): every such number is replaced by its rank
  among all of them in the file, which depends only on the document.

Then one incremental update is appended (the original objects stay, newer ones replace them): the document
information (title, author, subject, creator; dates only from ``SOURCE_DATE_EPOCH``) and outline entries
whose title Chromium doubled ("LageLage" for the heading "Lage" at the top of a page).

Example::

    pdf = finish(chromium_pdf, DocumentInfo(title="Lehe – 2024", author="Gesundheitsamt"), headings={"Lage"})
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, NameObject, NumberObject, create_string_object

_CLOCK_DATE = re.compile(rb"/(?:CreationDate|ModDate)\s*\([^)]*\)")
_NODE_ID = re.compile(rb"\(node(\d+)\)")
_START_XREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


@dataclass(frozen=True)
class DocumentInfo:
    """What the PDF's document information says; empty fields are left out."""

    title: str
    author: str = ""
    subject: str = ""
    creator: str = "Quartiersprofile"
    #: PDF date ("D:20250301000000Z") for creation and modification, or "" for none.
    date: str = ""


def finish(pdf: bytes, info: DocumentInfo, headings: Collection[str] = ()) -> bytes:
    """`pdf` (from Chromium) made reproducible, with `info` as its document information and an outline whose
    doubled titles (a heading of `headings` twice over) are the heading once."""
    pdf = _CLOCK_DATE.sub(lambda match: b" " * len(match.group()), pdf)
    pdf = _stable_node_ids(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    replaced = dict(_outline_fixes(reader, set(headings)))
    info_ref = reader.trailer.raw_get("/Info")
    replaced[info_ref.idnum] = _info_dictionary(info)
    return _append_update(pdf, reader, replaced)


def _stable_node_ids(pdf: bytes) -> bytes:
    numbers = sorted({int(digits) for digits in _NODE_ID.findall(pdf)})
    rank = {number: position for position, number in enumerate(numbers, start=1)}

    def renumber(match: re.Match) -> bytes:
        digits = match.group(1)
        return b"(node" + str(rank[int(digits)]).zfill(len(digits)).encode() + b")"

    return _NODE_ID.sub(renumber, pdf)


def _outline_fixes(reader: PdfReader, headings: set[str]):
    """(object number, corrected item) for every outline item whose title is one of `headings` twice."""
    outlines = reader.trailer["/Root"].get("/Outlines")
    pending = [outlines.get_object().raw_get("/First")] if outlines and "/First" in outlines.get_object() else []
    while pending:
        reference = pending.pop()
        item = reference.get_object()
        title = str(item.get("/Title", ""))
        half = title[: len(title) // 2]
        if title not in headings and half in headings and title == half * 2:
            fixed = DictionaryObject(item)
            fixed[NameObject("/Title")] = create_string_object(half)
            yield reference.idnum, fixed
        pending.extend(item.raw_get(key) for key in ("/First", "/Next") if key in item)


def _info_dictionary(info: DocumentInfo) -> DictionaryObject:
    fields = {"/Title": info.title, "/Author": info.author, "/Subject": info.subject, "/Creator": info.creator}
    if info.date:
        fields |= {"/CreationDate": info.date, "/ModDate": info.date}
    return DictionaryObject(
        {NameObject(key): create_string_object(value) for key, value in fields.items() if value}
    )


def _append_update(pdf: bytes, reader: PdfReader, objects: dict[int, DictionaryObject]) -> bytes:
    """`pdf` with an incremental update that replaces `objects` (object number -> new dictionary)."""
    previous = _START_XREF.search(pdf[-1024:])
    if previous is None:
        raise ValueError("not a complete PDF: no startxref at the end")
    update = io.BytesIO()
    update.write(b"\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(pdf) + update.tell()
        update.write(f"{number} 0 obj\n".encode())
        objects[number].write_to_stream(update)
        update.write(b"\nendobj\n")
    xref_offset = len(pdf) + update.tell()
    update.write(b"xref\n")
    for number in sorted(objects):
        update.write(f"{number} 1\n{offsets[number]:010d} 00000 n \n".encode())
    trailer = DictionaryObject(
        {
            NameObject("/Size"): reader.trailer["/Size"],
            NameObject("/Root"): reader.trailer.raw_get("/Root"),
            NameObject("/Info"): reader.trailer.raw_get("/Info"),
            NameObject("/Prev"): NumberObject(int(previous.group(1))),
        }
    )
    update.write(b"trailer\n")
    trailer.write_to_stream(update)
    update.write(f"\nstartxref\n{xref_offset}\n%%EOF\n".encode())
    return pdf + update.getvalue()

