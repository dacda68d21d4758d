"""Renders a tmux capture (`capture-pane -e -p`: text with SGR colour escapes) to a PNG, as a
terminal with DejaVu Sans Mono would draw it.

Usage: python ansi_to_png.py CAPTURE.txt OUT.png COLUMNS ROWS
"""

import re
import sys
import unicodedata

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
SIZE = 15
BG = (24, 26, 33)
FG = (204, 208, 214)
BASE16 = [
    (40, 42, 54), (224, 95, 95), (120, 200, 120), (230, 200, 90),
    (95, 150, 230), (200, 120, 220), (90, 200, 210), (204, 208, 214),
    (110, 115, 130), (255, 120, 120), (150, 230, 150), (250, 225, 120),
    (130, 180, 255), (225, 150, 240), (130, 230, 240), (250, 250, 250),
]


def xterm256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


def cell_width(ch):
    if unicodedata.combining(ch) or ch in "\u200d\ufe0f":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def parse(text, cols, rows):
    grid = [[(" ", FG, BG, False) for _ in range(cols)] for _ in range(rows)]
    fg, bg, bold, rev = FG, BG, False, False
    for y, line in enumerate(text.split("\n")[:rows]):
        x = 0
        i = 0
        while i < len(line):
            m = re.match(r"\x1b\[([0-9;:]*)m", line[i:])
            if m:
                codes = [int(c) if c else 0 for c in re.split("[;:]", m.group(1))] or [0]
                j = 0
                while j < len(codes):
                    c = codes[j]
                    if c == 0:
                        fg, bg, bold, rev = FG, BG, False, False
                    elif c == 1:
                        bold = True
                    elif c == 22:
                        bold = False
                    elif c == 7:
                        rev = True
                    elif c == 27:
                        rev = False
                    elif 30 <= c <= 37:
                        fg = BASE16[c - 30]
                    elif 90 <= c <= 97:
                        fg = BASE16[c - 90 + 8]
                    elif 40 <= c <= 47:
                        bg = BASE16[c - 40]
                    elif 100 <= c <= 107:
                        bg = BASE16[c - 100 + 8]
                    elif c == 39:
                        fg = FG
                    elif c == 49:
                        bg = BG
                    elif c in (38, 48) and j + 1 < len(codes):
                        if codes[j + 1] == 5 and j + 2 < len(codes):
                            col = xterm256(codes[j + 2])
                            j += 2
                        elif codes[j + 1] == 2 and j + 4 < len(codes):
                            col = tuple(codes[j + 2:j + 5])
                            j += 4
                        else:
                            col = FG
                        if c == 38:
                            fg = col
                        else:
                            bg = col
                    j += 1
                i += len(m.group(0))
                continue
            if line[i] == "\x1b":
                i += 1
                continue
            ch = line[i]
            w = cell_width(ch)
            if w and x < cols:
                f, b = (bg, fg) if rev else (fg, bg)
                grid[y][x] = (ch, f, b, bold)
                if w == 2 and x + 1 < cols:
                    grid[y][x + 1] = ("", f, b, bold)
                x += w
            i += 1
    return grid


def main():
    src, out, cols, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    text = open(src, encoding="utf-8", errors="replace").read()
    regular = ImageFont.truetype(FONT_DIR + "DejaVuSansMono.ttf", SIZE)
    boldf = ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Bold.ttf", SIZE)
    fallback = ImageFont.truetype(FONT_DIR + "DejaVuSans.ttf", SIZE)
    cw = int(regular.getlength("M"))
    ch = SIZE + 4
    img = Image.new("RGB", (cols * cw + 16, rows * ch + 16), BG)
    d = ImageDraw.Draw(img)
    for y, row in enumerate(parse(text, cols, rows)):
        for x, (c, f, b, bold) in enumerate(row):
            px, py = 8 + x * cw, 8 + y * ch
            if b != BG:
                d.rectangle([px, py, px + cw, py + ch], fill=b)
            if c.strip():
                font = boldf if bold else regular
                if font.getmask(c).getbbox() is None:
                    font = fallback
                if c in "─━│┃┌┐└┘┏┓┗┛├┤█▶▼·":
                    font = regular
                d.text((px, py + 1), c, font=font, fill=f)
    img.save(out)


if __name__ == "__main__":
    main()
