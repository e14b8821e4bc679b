"""The xlsx file as a zip package: its parts, content types and worksheets, read cautiously.

Only the zip directory and a few small XML parts are read here, each with a size cap, so that
`safety` can judge a file before openpyxl parses anything, and `reader` can look for merged
cells without loading a sheet twice into objects.
"""

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree as ET

SMALL_PART_LIMIT = 5 * 1024 * 1024
"""Largest content-types, relationships or workbook part read whole (real ones are kilobytes)."""

_NS_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_NS_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OFFICE_DOCUMENT = _NS_DOC_REL + "/officeDocument"
_WORKSHEET = _NS_DOC_REL + "/worksheet"


class PackageError(Exception):
    """The zip or one of its small XML parts cannot be read as an Office package."""


@dataclass(frozen=True)
class SheetRef:
    """One sheet as the workbook lists it: its name, visibility and zip part."""

    name: str
    state: str
    path: str | None


class Package:
    """An opened zip with helpers that never read more than they are allowed to."""

    def __init__(self, data: bytes):
        """Open the zip directory only (no part is inflated); PackageError when it is not a zip."""
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
            raise PackageError(str(exc)) from exc
        self.names = {info.filename: info for info in self.infos}
        self._types: tuple[dict[str, str], dict[str, str]] | None = None

    def close(self) -> None:
        """Release the zip (the bytes stay with the caller)."""
        self.zip.close()

    def read(self, name: str, limit: int) -> bytes:
        """The whole part `name`, refusing (PackageError) one larger than `limit` bytes.

        Protects memory from a part that claims to be small: reading stops at `limit` + 1
        bytes whatever the zip directory says.
        """
        info = self.names.get(name)
        if info is None:
            raise PackageError(f"missing part {name}")
        try:
            with self.zip.open(info) as fh:
                data = fh.read(limit + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as exc:
            raise PackageError(str(exc)) from exc
        if len(data) > limit:
            raise PackageError(f"part {name} larger than {limit}")
        return data

    def head(self, name: str, size: int) -> bytes:
        """The first `size` bytes of part `name` (decompressing only that much)."""
        try:
            with self.zip.open(self.names[name]) as fh:
                return fh.read(size)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as exc:
            raise PackageError(str(exc)) from exc

    def _xml(self, name: str) -> ET.Element:
        """A small XML part parsed, refusing DTDs and anything larger than SMALL_PART_LIMIT."""
        data = self.read(name, SMALL_PART_LIMIT)
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise PackageError(f"{name} declares a DOCTYPE")
        try:
            return ET.fromstring(data)  # noqa: S314 - no DTD (checked above), size-capped
        except ET.ParseError as exc:
            raise PackageError(f"{name}: {exc}") from exc

    def content_types(self) -> tuple[dict[str, str], dict[str, str]]:
        """([Content_Types].xml) overrides by part name and defaults by extension, lower-cased."""
        if self._types is None:
            root = self._xml("[Content_Types].xml")
            overrides, defaults = {}, {}
            for el in root:
                tag = el.tag.rsplit("}", 1)[-1]
                if tag == "Override":
                    overrides[el.get("PartName", "").lstrip("/")] = el.get("ContentType", "")
                elif tag == "Default":
                    defaults[el.get("Extension", "").lower()] = el.get("ContentType", "")
            self._types = (overrides, defaults)
        return self._types

    def content_type(self, name: str) -> str:
        """The declared content type of a part (override first, then the extension default)."""
        overrides, defaults = self.content_types()
        if name in overrides:
            return overrides[name]
        return defaults.get(name.rsplit(".", 1)[-1].lower(), "")

    def _rels(self, rels_name: str) -> dict[str, tuple[str, str]]:
        """Relationship id → (type, target) of one .rels part ({} when absent)."""
        if rels_name not in self.names:
            return {}
        root = self._xml(rels_name)
        return {
            el.get("Id", ""): (el.get("Type", ""), el.get("Target", ""))
            for el in root
            if el.tag == f"{{{_NS_REL}}}Relationship"
        }

    def workbook_part(self) -> str | None:
        """The main document part named by the package relationships (xl/workbook.xml)."""
        for rel_type, target in self._rels("_rels/.rels").values():
            if rel_type == _OFFICE_DOCUMENT:
                return target.lstrip("/")
        return None

    def sheets(self) -> list[SheetRef]:
        """The workbook's sheets in order, with their state and part path."""
        book = self.workbook_part()
        if book is None or book not in self.names:
            raise PackageError("no workbook part")
        folder, base = posixpath.split(book)
        rels = self._rels(posixpath.join(folder, "_rels", base + ".rels"))
        out = []
        for el in self._xml(book).iter():
            if el.tag.rsplit("}", 1)[-1] != "sheet":
                continue
            rel = rels.get(el.get(f"{{{_NS_DOC_REL}}}id", ""))
            path = None
            if rel is not None and rel[0] == _WORKSHEET:
                target = rel[1]
                path = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join(folder, target))
                )
            out.append(SheetRef(el.get("name", ""), el.get("state", "visible"), path))
        return out


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?\bref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')


def merged_ranges(package: Package, path: str, limit: int) -> list[str]:
    """The merged ranges ("B4:C4") a worksheet part declares.

    The reader's read-only mode does not report merged cells; this finds them in the sheet's
    XML (which safety has already bounded in size) without building any cell objects.
    """
    data = package.read(path, limit)
    start = data.find(b"mergeCell")
    if start < 0:
        return []
    return [m.decode("ascii") for m in _MERGE.findall(data, max(start - 200, 0))]
