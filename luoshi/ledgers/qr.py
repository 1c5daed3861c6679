"""A small QR code encoder (byte mode, error correction level M, versions 1–6) drawn as SVG.

Enough for a check-in link of up to 106 bytes, without a dependency. Follows ISO/IEC 18004 the
way Project Nayuki's reference encoder lays it out: data and Reed–Solomon codewords, interleaved
blocks, function patterns, zigzag placement, the mask with the lowest penalty, format bits.
"""

from django.utils.html import format_html
from django.utils.safestring import SafeString

# version: (EC codewords per block, data codewords of each block), level M.
BLOCKS: dict[int, tuple[int, list[int]]] = {
    1: (10, [16]),
    2: (16, [28]),
    3: (26, [44]),
    4: (18, [32, 32]),
    5: (24, [43, 43]),
    6: (16, [27, 27, 27, 27]),
}
ALIGNMENT: dict[int, list[int]] = {
    1: [],
    2: [6, 18],
    3: [6, 22],
    4: [6, 26],
    5: [6, 30],
    6: [6, 34],
}
REMAINDER_BITS = {1: 0, 2: 7, 3: 7, 4: 7, 5: 7, 6: 7}
FORMAT_BITS_M = 0


class TooLong(ValueError):
    """The text does not fit a version 6-M symbol."""


def _multiply(x: int, y: int) -> int:
    z = 0
    for i in reversed(range(8)):
        z = (z << 1) ^ ((z >> 7) * 0x11D)
        z ^= ((y >> i) & 1) * x
    return z


def _divisor(degree: int) -> list[int]:
    result = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(len(result)):
            result[j] = _multiply(result[j], root)
            if j + 1 < len(result):
                result[j] ^= result[j + 1]
        root = _multiply(root, 0x02)
    return result


def _remainder(data: list[int], divisor: list[int]) -> list[int]:
    result = [0] * len(divisor)
    for byte in data:
        factor = byte ^ result.pop(0)
        result.append(0)
        for i, coefficient in enumerate(divisor):
            result[i] ^= _multiply(coefficient, factor)
    return result


def _codewords(data: bytes) -> tuple[int, list[int]]:
    """(version, the final interleaved codeword sequence)."""
    fitting = [v for v, (_ec, sizes) in BLOCKS.items() if 4 + 8 + 8 * len(data) <= sum(sizes) * 8]
    if not fitting:
        raise TooLong(len(data))
    version = fitting[0]
    ec_len, block_sizes = BLOCKS[version]
    capacity = sum(block_sizes)
    bits: list[int] = []

    def put(value: int, length: int) -> None:
        bits.extend((value >> i) & 1 for i in reversed(range(length)))

    put(0b0100, 4)
    put(len(data), 8)
    for byte in data:
        put(byte, 8)
    put(0, min(4, capacity * 8 - len(bits)))
    put(0, (-len(bits)) % 8)
    words = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits), 8)]
    pad = 0xEC
    while len(words) < capacity:
        words.append(pad)
        pad ^= 0xEC ^ 0x11
    divisor = _divisor(ec_len)
    blocks, eccs, start = [], [], 0
    for size in block_sizes:
        block = words[start : start + size]
        start += size
        blocks.append(block)
        eccs.append(_remainder(block, divisor))
    result: list[int] = []
    for i in range(max(block_sizes)):
        result.extend(block[i] for block in blocks if i < len(block))
    for i in range(ec_len):
        result.extend(ecc[i] for ecc in eccs)
    return version, result


MASKS = [
    lambda x, y: (x + y) % 2 == 0,
    lambda x, y: y % 2 == 0,
    lambda x, y: x % 3 == 0,
    lambda x, y: (x + y) % 3 == 0,
    lambda x, y: (x // 3 + y // 2) % 2 == 0,
    lambda x, y: x * y % 2 + x * y % 3 == 0,
    lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
    lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0,
]


class _Symbol:
    def __init__(self, version: int):
        self.version = version
        self.size = 17 + 4 * version
        self.dark = [[False] * self.size for _ in range(self.size)]
        self.function = [[False] * self.size for _ in range(self.size)]

    def set(self, x: int, y: int, dark: bool) -> None:
        self.dark[y][x] = dark
        self.function[y][x] = True

    def draw_function_patterns(self) -> None:
        size = self.size
        for i in range(size):
            self.set(6, i, i % 2 == 0)
            self.set(i, 6, i % 2 == 0)
        for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):
            for dy in range(-4, 5):
                for dx in range(-4, 5):
                    x, y = cx + dx, cy + dy
                    if 0 <= x < size and 0 <= y < size:
                        self.set(x, y, max(abs(dx), abs(dy)) not in (2, 4))
        positions = ALIGNMENT[self.version]
        last = len(positions) - 1
        for i, px in enumerate(positions):
            for j, py in enumerate(positions):
                if (i, j) in ((0, 0), (0, last), (last, 0)):
                    continue
                for dy in range(-2, 3):
                    for dx in range(-2, 3):
                        self.set(px + dx, py + dy, max(abs(dx), abs(dy)) != 1)
        self.draw_format(0)

    def draw_format(self, mask: int) -> None:
        data = FORMAT_BITS_M << 3 | mask
        rem = data
        for _ in range(10):
            rem = (rem << 1) ^ ((rem >> 9) * 0x537)
        bits = (data << 10 | rem) ^ 0x5412

        def bit(i: int) -> bool:
            return (bits >> i) & 1 == 1

        size = self.size
        for i in range(6):
            self.set(8, i, bit(i))
        self.set(8, 7, bit(6))
        self.set(8, 8, bit(7))
        self.set(7, 8, bit(8))
        for i in range(9, 15):
            self.set(14 - i, 8, bit(i))
        for i in range(8):
            self.set(size - 1 - i, 8, bit(i))
        for i in range(8, 15):
            self.set(8, size - 15 + i, bit(i))
        self.set(8, size - 8, True)

    def place(self, codewords: list[int]) -> None:
        size, i, total = self.size, 0, len(codewords) * 8
        right = size - 1
        while right >= 1:
            if right == 6:
                right = 5
            for vert in range(size):
                for j in range(2):
                    x = right - j
                    upward = ((right + 1) & 2) == 0
                    y = size - 1 - vert if upward else vert
                    if not self.function[y][x] and i < total:
                        self.dark[y][x] = (codewords[i >> 3] >> (7 - (i & 7))) & 1 == 1
                        i += 1
            right -= 2

    def apply_mask(self, mask: int) -> None:
        test = MASKS[mask]
        for y in range(self.size):
            for x in range(self.size):
                if not self.function[y][x] and test(x, y):
                    self.dark[y][x] = not self.dark[y][x]

    def penalty(self) -> int:
        size, dark, score = self.size, self.dark, 0
        for lines in (dark, [list(column) for column in zip(*dark, strict=True)]):
            for line in lines:
                run, colour = 0, None
                for module in [*line, None]:
                    if module == colour:
                        run += 1
                        continue
                    if run >= 5:
                        score += 3 + run - 5
                    run, colour = 1, module
        for y in range(size - 1):
            for x in range(size - 1):
                if dark[y][x] == dark[y][x + 1] == dark[y + 1][x] == dark[y + 1][x + 1]:
                    score += 3
        count = sum(map(sum, dark))
        total = size * size
        score += (abs(count * 20 - total * 10) + total - 1) // total * 10 - 10 if total else 0
        return score


def matrix(text: str) -> list[list[bool]]:
    """The modules of the QR code of `text` (rows of booleans, True = dark), quiet zone excluded."""
    version, codewords = _codewords(text.encode("utf-8"))
    best: tuple[int, list[list[bool]]] | None = None
    for mask in range(8):
        symbol = _Symbol(version)
        symbol.draw_function_patterns()
        symbol.place(codewords)
        symbol.apply_mask(mask)
        symbol.draw_format(mask)
        score = symbol.penalty()
        if best is None or score < best[0]:
            best = (score, symbol.dark)
    assert best is not None
    return best[1]


def svg(text: str, *, label: str = "", quiet: int = 4) -> SafeString:
    """An inline SVG of the QR code of `text`, scalable (width 100% of its box)."""
    modules = matrix(text)
    size = len(modules) + 2 * quiet
    path = "".join(
        f"M{x + quiet} {y + quiet}h1v1h-1z"
        for y, row in enumerate(modules)
        for x, dark in enumerate(row)
        if dark
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {0} {0}" width="100%" role="img" '
        'aria-label="{1}" shape-rendering="crispEdges" class="qr-code d-block">'
        '<rect width="{0}" height="{0}" fill="#fff"/><path d="{2}" fill="#000"/></svg>',
        size,
        label,
        path,
    )
