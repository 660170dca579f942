#!/usr/bin/env python3
"""Generates Duplidesk's icons into icons/ (committed; CI does not run this).

    pip install pillow && python3 scripts/make-icons.py

App icon: 16, 24, 32, 48, 64, 128, 256 and 512 px PNGs, 128x128@2x.png, icon.ico (Windows),
icon.icns (macOS).

The glyph: a rounded square in a calm blue with a white stack of three disks and a check mark.
Tray icons are the disks without the check, at 32x32, with a green / amber / red status dot.
All PNGs are written as 8-bit RGBA (Tauri refuses other PNG formats).
"""
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "icons"

BLUE_TOP = (56, 132, 214)
BLUE_BOTTOM = (30, 88, 168)
WHITE = (255, 255, 255, 255)
DOTS = {
    "ok": (46, 182, 92),
    "warning": (240, 166, 20),
    "error": (220, 50, 50),
}
SS = 4  # supersampling factor for smooth edges


def glyph(size: int, badge: bool = True) -> Image.Image:
    """The app icon at `size` x `size`, drawn large and scaled down (`badge`: the check mark)."""
    s = size * SS
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))

    # Rounded square with a vertical gradient.
    margin = round(s * 0.06)
    radius = round(s * 0.22)
    gradient = Image.new("RGBA", (s, s))
    gd = ImageDraw.Draw(gradient)
    for y in range(s):
        t = y / (s - 1)
        c = tuple(round(a + (b - a) * t) for a, b in zip(BLUE_TOP, BLUE_BOTTOM))
        gd.line([(0, y), (s, y)], fill=c + (255,))
    mask = Image.new("L", (s, s), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        [margin, margin, s - 1 - margin, s - 1 - margin], radius=radius, fill=255
    )
    img.paste(gradient, (0, 0), mask)

    d = ImageDraw.Draw(img)
    # Three stacked disks (ellipses seen from the side), white outlines on the blue.
    cx = s * 0.44
    w = s * 0.46
    h = s * 0.13
    stroke = max(SS, round(s * 0.045))
    tops = [s * 0.24, s * 0.40, s * 0.56]
    for top in reversed(tops):
        box = [cx - w / 2, top, cx + w / 2, top + h]
        # Body of each disk: a filled band so the stack reads as solid.
        d.rectangle([cx - w / 2, top + h / 2, cx + w / 2, top + h / 2 + s * 0.10],
                    fill=WHITE)
        d.ellipse([cx - w / 2, top + s * 0.10, cx + w / 2, top + s * 0.10 + h], fill=WHITE)
        d.ellipse(box, fill=BLUE_TOP + (255,), outline=WHITE, width=stroke)

    if not badge:
        return img.resize((size, size), Image.LANCZOS)

    # Check mark badge at the lower right: white circle with a blue tick.
    r = s * 0.17
    bx, by = s * 0.70, s * 0.70
    d.ellipse([bx - r, by - r, bx + r, by + r], fill=WHITE)
    tick = [(bx - r * 0.50, by + r * 0.02), (bx - r * 0.12, by + r * 0.42),
            (bx + r * 0.55, by - r * 0.38)]
    d.line(tick, fill=BLUE_BOTTOM + (255,), width=max(SS, round(r * 0.28)), joint="curve")

    return img.resize((size, size), Image.LANCZOS)


def with_dot(base: Image.Image, color) -> Image.Image:
    """`base` with a status dot (white ring) in the lower-right corner."""
    size = base.width
    s = size * SS
    overlay = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(overlay)
    r = s * 0.25
    cx, cy = s * 0.74, s * 0.74
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=WHITE)
    r2 = r * 0.76
    d.ellipse([cx - r2, cy - r2, cx + r2, cy + r2], fill=color + (255,))
    overlay = overlay.resize((size, size), Image.LANCZOS)
    out = base.copy()
    out.alpha_composite(overlay)
    return out


def save_png(img: Image.Image, name: str) -> None:
    img.convert("RGBA").save(OUT / name, format="PNG", optimize=True)
    print("wrote", OUT / name)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    big = glyph(1024)

    def at(size: int) -> Image.Image:
        # Small sizes are drawn directly so strokes stay crisp.
        return glyph(size) if size <= 256 else big.resize((size, size), Image.LANCZOS)

    save_png(at(32), "32x32.png")
    save_png(at(128), "128x128.png")
    save_png(at(256), "128x128@2x.png")
    save_png(at(512), "icon.png")
    # The other sizes Linux desktops look up in the hicolor theme (menus 16-24, launchers 48-64,
    # app stores 256); the packages install every PNG listed in tauri.conf.json by its size.
    for size in (16, 24, 48, 64, 256):
        save_png(at(size), f"{size}x{size}.png")

    at(256).save(OUT / "icon.ico", format="ICO",
                 sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    print("wrote", OUT / "icon.ico")
    big.save(OUT / "icon.icns", format="ICNS")
    print("wrote", OUT / "icon.icns")

    tray = glyph(32, badge=False)
    for name, color in DOTS.items():
        save_png(with_dot(tray, color), f"tray-{name}.png")


if __name__ == "__main__":
    main()
