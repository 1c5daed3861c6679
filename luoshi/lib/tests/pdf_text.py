"""The text of each page of a PDF that LibreOffice wrote, for the render checks.

poppler's `pdftotext` is used where it is installed; otherwise this reads the PDF itself: the
page objects in order, their content streams (Flate-compressed), and the fonts' ToUnicode maps,
which is all LibreOffice's PDF export uses for text. Enough for "what does page 2 say", not a
general PDF reader.
"""

import re
import shutil
import subprocess
import zlib
from pathlib import Path

OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
REF = rb"(\d+) 0 R"


def soffice() -> str | None:
    """LibreOffice's command, where it is installed (Debian: libreoffice-writer-nogui)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(content: bytes, folder: Path, name: str = "document") -> Path:
    """Convert a .docx with LibreOffice headless (its own profile in `folder`, so a running
    LibreOffice or a parallel test does not get in the way) and return the PDF's path."""
    command = soffice()
    if command is None:
        raise FileNotFoundError("soffice")
    source = folder / f"{name}.docx"
    source.write_bytes(content)
    profile = folder / "lo-profile"
    subprocess.run(
        [
            command,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ],
        capture_output=True,
        check=True,
        timeout=180,
    )
    return folder / f"{name}.pdf"


def pages_text(pdf: Path) -> list[str]:
    """One string per page."""
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
        ).stdout
        return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")
    return _read(pdf.read_bytes())


def _stream(body: bytes) -> bytes:
    match = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
    if not match:
        return b""
    data = match.group(1)
    return zlib.decompress(data) if b"/FlateDecode" in body[: match.start()] else data


def _cmap(data: bytes) -> tuple[int, dict[int, str]]:
    """(code length in bytes, code → text) from a ToUnicode CMap."""
    mapping: dict[int, str] = {}
    space = re.search(rb"begincodespacerange\s*<([0-9A-Fa-f]+)>", data)
    width = len(space.group(1)) // 2 if space else 1

    def text(hex_: bytes) -> str:
        return bytes.fromhex(hex_.decode()).decode("utf-16-be", "replace")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, value in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = text(value)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, value in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            start = int(value, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(start + offset)
    return width, mapping


def _first(pattern: bytes, data: bytes) -> bytes:
    """The first group of the first match (the PDF is LibreOffice's: it is there)."""
    match = re.search(pattern, data, re.S)
    if match is None:
        raise ValueError(f"not in the PDF: {pattern!r}")
    return match.group(1)


def _read(data: bytes) -> list[str]:
    objects = {int(number): body for number, body in OBJECT.findall(data)}

    def resolve(body: bytes, key: bytes) -> bytes:
        match = re.search(rb"/" + key + rb"\s*" + REF, body)
        if match:
            return objects.get(int(match.group(1)), b"")
        match = re.search(rb"/" + key + rb"\s*(<<.*?>>)", body, re.S)
        return match.group(1) if match else b""

    catalog = objects[int(_first(rb"/Root\s*" + REF, data))]
    pages: list[bytes] = []

    def walk(number: int) -> None:
        body = objects[number]
        if re.search(rb"/Type\s*/Pages", body):
            kids = _first(rb"/Kids\s*\[(.*?)\]", body)
            for kid in re.findall(REF, kids):
                walk(int(kid))
        else:
            pages.append(body)

    walk(int(_first(rb"/Pages\s*" + REF, catalog)))
    maps: dict[int, tuple[int, dict[int, str]]] = {}
    texts = []
    for page in pages:
        resources = resolve(page, b"Resources")
        fonts_dict = resolve(resources, b"Font")
        fonts = {}
        for name, number in re.findall(rb"/(\w+)\s*" + REF, fonts_dict):
            number = int(number)
            if number not in maps:
                font = objects.get(number, b"")
                unicode = re.search(rb"/ToUnicode\s*" + REF, font)
                maps[number] = (
                    _cmap(_stream(objects[int(unicode.group(1))])) if unicode else (1, {})
                )
            fonts[name] = maps[number]
        contents = _first(rb"/Contents\s*(\[.*?\]|" + REF + rb")", page)
        streams = b"".join(_stream(objects[int(number)]) for number in re.findall(REF, contents))
        texts.append(_show(streams, fonts))
    return texts


def _show(content: bytes, fonts) -> str:
    width, mapping = 1, {}
    out: list[str] = []
    token = re.compile(
        rb"/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>|\(((?:\\.|[^\\)])*)\)|(T\*|Td|TD|ET)"
    )
    for match in token.finditer(content):
        if match.group(1):
            width, mapping = fonts.get(match.group(1), (1, {}))
        elif match.group(2) is not None:
            raw = bytes.fromhex(match.group(2).decode())
            for index in range(0, len(raw), width):
                code = int.from_bytes(raw[index : index + width], "big")
                out.append(mapping.get(code, ""))
        elif match.group(3) is not None:
            out.extend(mapping.get(byte, chr(byte)) for byte in match.group(3))
        else:
            out.append("\n" if match.group(4) in (b"ET", b"T*") else "")
    return "".join(out)
