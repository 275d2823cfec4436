"""A small ESC/POS reader: what would a printer do with these bytes? It finds raster images
(GS v 0, GS ( L / GS 8 L graphics, ESC * column images), text sent in text mode, QR data sent with
GS ( k, and cuts. Tests use it to decode what eventdesk sent to a (fake) printer; it also reads
the streams of other tools. Unknown commands are listed, never guessed past silently."""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C

# ESC commands by the number of argument bytes that follow the command letter.
_ESC_ARGS = {
    0x40: 0,
    0x32: 0,
    0x3C: 0,  # @ init, 2 default line spacing, < return home
    0x21: 1,
    0x2D: 1,
    0x33: 1,
    0x45: 1,
    0x47: 1,
    0x4A: 1,
    0x4D: 1,
    0x52: 1,
    0x54: 1,
    0x56: 1,
    0x61: 1,
    0x64: 1,
    0x65: 1,
    0x72: 1,
    0x74: 1,
    0x7B: 1,
    0x20: 1,
    0x25: 1,
    0x3F: 1,
    0x4B: 1,
    0x55: 1,
    0x69: 0,
    0x6D: 0,
    0x66: 2,
    0x4C: 0,
    0x53: 0,
    0x46: 1,
    0x57: 8,
    0x3D: 1,
    0x24: 2,
    0x5C: 2,
    0x70: 3,
}
# GS commands with a fixed number of argument bytes.
_GS_ARGS = {
    0x21: 1,
    0x42: 1,
    0x48: 1,
    0x49: 1,
    0x61: 1,
    0x62: 1,
    0x66: 1,
    0x68: 1,
    0x72: 1,
    0x77: 1,
    0x3A: 0,
    0x4C: 2,
    0x50: 2,
    0x57: 2,
    0x24: 2,
    0x5C: 2,
    0x54: 1,
    0x2F: 1,
    0x7C: 1,
    0x5E: 3,
}


@dataclass
class RasterImage:
    command: str  # "GS v 0", "GS ( L", "ESC *"
    width: int
    height: int
    image: Image.Image  # mode "1": black where the printer burns a dot


@dataclass
class EscposStream:
    images: list[RasterImage] = field(default_factory=list)
    text: bytearray = field(default_factory=bytearray)  # bytes printed in text mode
    qr_data: list[bytes] = field(default_factory=list)
    cuts: int = 0
    commands: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def merged_image(self) -> Image.Image | None:
        """All raster images stacked top to bottom (python-escpos sends tall images in strips)."""
        if not self.images:
            return None
        width = max(i.width for i in self.images)
        canvas = Image.new("1", (width, sum(i.height for i in self.images)), 255)
        y = 0
        for part in self.images:
            canvas.paste(part.image, (0, y))
            y += part.height
        return canvas


def _raster(data: bytes, width_bytes: int, height: int, width: int | None = None) -> Image.Image:
    # ESC/POS: bit set = dot burnt (black). Pillow "1;I" reads set bits as black.
    image = Image.frombytes("1", (width_bytes * 8, height), bytes(data), "raw", "1;I")
    return image.crop((0, 0, width, height)) if width and width < width_bytes * 8 else image


def _column_image(data: bytes, width: int, dots: int) -> Image.Image:
    """ESC * data: ``dots`` (8 or 24) vertical dots per column, ``dots // 8`` bytes each."""
    per = dots // 8
    image = Image.new("1", (width, dots), 255)
    pixels = image.load()
    for x in range(width):
        for b in range(per):
            byte = data[x * per + b]
            for bit in range(8):
                if byte & (0x80 >> bit):
                    pixels[x, b * 8 + bit] = 0
    return image


def read_escpos(data: bytes) -> EscposStream:
    out = EscposStream()
    i, n = 0, len(data)

    def need(count: int) -> bytes:
        if i + count > n:
            raise ValueError(f"ESC/POS stream ends inside a command at byte {i}")
        return data[i : i + count]

    while i < n:
        byte = data[i]
        if byte == ESC and i + 1 < n:
            cmd = data[i + 1]
            i += 2
            if cmd == 0x2A:  # ESC * m nL nH d...
                m, nl, nh = need(3)
                width = nl + nh * 256
                dots = 8 if m in (0, 1) else 24
                i += 3
                body = need(width * dots // 8)
                out.images.append(RasterImage("ESC *", width, dots, _column_image(body, width, dots)))
                out.commands.append("ESC *")
                i += len(body)
            elif cmd == 0x26:  # ESC & y c1 c2 [x d...]... user-defined characters
                y, c1, c2 = need(3)
                i += 3
                for _ in range(c2 - c1 + 1):
                    x = need(1)[0]
                    i += 1 + y * x
                out.commands.append("ESC &")
            elif cmd == 0x63:  # ESC c n m
                i += 2
                out.commands.append("ESC c")
            elif cmd in _ESC_ARGS:
                i += _ESC_ARGS[cmd]
                out.commands.append(f"ESC {chr(cmd)}")
            else:
                out.unknown.append(f"ESC 0x{cmd:02x} at {i - 2}")
        elif byte == GS and i + 1 < n:
            cmd = data[i + 1]
            i += 2
            if cmd == 0x76:  # GS v 0 m xL xH yL yH d...
                head = need(6)
                xb, y = head[2] + head[3] * 256, head[4] + head[5] * 256
                i += 6
                body = need(xb * y)
                out.images.append(RasterImage("GS v 0", xb * 8, y, _raster(body, xb, y)))
                out.commands.append("GS v 0")
                i += len(body)
            elif cmd in (0x28, 0x38):  # GS ( X pL pH ... / GS 8 L p1 p2 p3 p4 ...
                fn_letter = need(1)[0]
                if cmd == 0x38:
                    p = int.from_bytes(need(5)[1:5], "little")
                    i += 5
                else:
                    pl, ph = need(3)[1:3]
                    p = pl + ph * 256
                    i += 3
                body = need(p)
                i += p
                _gs_paren(out, chr(fn_letter), body)
            elif cmd == 0x56:  # GS V m [n]
                m = need(1)[0]
                i += 1 if m in (0, 1, 48, 49) else 2
                out.cuts += 1
                out.commands.append("GS V")
            elif cmd == 0x6B:  # GS k m ...
                m = need(1)[0]
                i += 1
                if m <= 6:
                    end = data.index(0, i)
                    i = end + 1
                else:
                    length = need(1)[0]
                    i += 1 + length
                out.commands.append("GS k")
            elif cmd == 0x2A:  # GS * x y d... (downloaded bit image)
                x, y = need(2)
                i += 2 + x * y * 8
                out.commands.append("GS *")
            elif cmd in _GS_ARGS:
                i += _GS_ARGS[cmd]
                out.commands.append(f"GS {chr(cmd)}")
            else:
                out.unknown.append(f"GS 0x{cmd:02x} at {i - 2}")
        elif byte == DLE and i + 1 < n and data[i + 1] in (0x04, 0x05):
            i += 3
            out.commands.append("DLE EOT" if data[i - 2] == 0x04 else "DLE ENQ")
        elif byte == DLE and i + 1 < n and data[i + 1] == 0x14:
            i += 5
            out.commands.append("DLE DC4")
        elif byte == FS and i + 1 < n:
            cmd = data[i + 1]
            i += 2
            if cmd in (0x26, 0x2E):  # FS & / FS . kanji mode on/off
                pass
            elif cmd in (0x21, 0x2D, 0x43, 0x57):
                i += 1
            elif cmd == 0x70:  # FS p n m: print NV bit image
                i += 2
            elif cmd == 0x28:
                pl, ph = need(3)[1:3]
                i += 3 + pl + ph * 256
            else:
                out.unknown.append(f"FS 0x{cmd:02x} at {i - 2}")
            out.commands.append(f"FS 0x{cmd:02x}")
        elif byte in (0x0A, 0x0D, 0x09) or byte >= 0x20:
            out.text.append(byte)
            i += 1
        elif byte == 0x0C:  # FF
            out.commands.append("FF")
            i += 1
        else:
            out.unknown.append(f"0x{byte:02x} at {i}")
            i += 1
    return out


def _gs_paren(out: EscposStream, letter: str, body: bytes) -> None:
    out.commands.append(f"GS ( {letter}")
    if letter == "L" and len(body) >= 2:
        fn = body[1]
        if fn in (0x70, 112) and len(body) >= 10:  # store raster graphics: m fn a bx by c xL xH yL yH d...
            width = body[6] + body[7] * 256
            height = body[8] + body[9] * 256
            width_bytes = (width + 7) // 8
            data = body[10 : 10 + width_bytes * height]
            out.images.append(RasterImage("GS ( L", width, height, _raster(data, width_bytes, height, width)))
    elif letter == "k" and len(body) >= 3 and body[0] == 0x31 and body[1] == 0x50:  # QR: store data
        out.qr_data.append(bytes(body[3:]))
