"""Synthetic damage photos: a dented car, a burnt kitchen wall, a water-stained ceiling.

They only need to look like photographs to the classifier (colour, texture, no text
layout), not to fool a person, so they are built from gradients, shapes and noise.
"""
from __future__ import annotations

import random

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from pipeline.samples.noise import NoiseSettings, shadow_and_grain

SIZE = (1600, 1200)


def _gradient(top: tuple[int, int, int], bottom: tuple[int, int, int], size: tuple[int, int]) -> Image.Image:
    w, h = size
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    arr = np.array(top, dtype=np.float32) * (1 - t) + np.array(bottom, dtype=np.float32) * t
    return Image.fromarray(np.broadcast_to(arr, (h, w, 3)).astype(np.uint8))


def _car(rng: random.Random) -> Image.Image:
    w, h = SIZE
    img = _gradient((rng.randint(150, 210),) * 3, (rng.randint(70, 110),) * 3, SIZE)  # car park / road
    d = ImageDraw.Draw(img)
    horizon = int(h * rng.uniform(0.25, 0.4))
    d.rectangle([0, 0, w, horizon], fill=rng.choice([(170, 190, 210), (120, 120, 125), (200, 205, 210)]))
    for _ in range(rng.randint(2, 5)):  # parking lines
        x = rng.randint(0, w)
        d.line([x, h, x + rng.randint(-300, 300), horizon], fill=(225, 225, 215), width=rng.randint(8, 16))
    body = rng.choice([(180, 20, 25), (30, 50, 120), (200, 200, 205), (30, 30, 35), (120, 125, 130), (240, 240, 240)])
    x0, y0 = int(w * rng.uniform(0.05, 0.15)), int(h * rng.uniform(0.35, 0.45))
    x1, y1 = int(w * rng.uniform(0.85, 0.95)), int(h * rng.uniform(0.75, 0.85))
    d.rounded_rectangle([x0, y0 + (y1 - y0) // 3, x1, y1], radius=60, fill=body)
    d.polygon([(x0 + (x1 - x0) * 0.22, y0 + (y1 - y0) // 3), (x0 + (x1 - x0) * 0.35, y0), (x0 + (x1 - x0) * 0.7, y0),
               (x0 + (x1 - x0) * 0.85, y0 + (y1 - y0) // 3)], fill=body)
    d.polygon([(x0 + (x1 - x0) * 0.28, y0 + (y1 - y0) // 3 - 10), (x0 + (x1 - x0) * 0.37, y0 + 20),
               (x0 + (x1 - x0) * 0.68, y0 + 20), (x0 + (x1 - x0) * 0.79, y0 + (y1 - y0) // 3 - 10)], fill=(60, 80, 100))
    for cx in (x0 + (x1 - x0) * 0.2, x0 + (x1 - x0) * 0.8):
        r = (y1 - y0) * 0.22
        d.ellipse([cx - r, y1 - r, cx + r, y1 + r], fill=(25, 25, 25))
        d.ellipse([cx - r * 0.5, y1 - r * 0.5, cx + r * 0.5, y1 + r * 0.5], fill=(160, 160, 165))
    for _ in range(rng.randint(2, 5)):  # dents and scrapes
        cx, cy = rng.randint(x0, x1), rng.randint(y0 + (y1 - y0) // 3, y1 - 40)
        rx, ry = rng.randint(40, 140), rng.randint(20, 70)
        shade = tuple(int(c * rng.uniform(0.45, 0.7)) for c in body)
        d.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=shade)
        for _ in range(rng.randint(3, 8)):
            d.line([cx - rx + rng.randint(0, 2 * rx), cy - ry + rng.randint(0, 2 * ry),
                    cx - rx + rng.randint(0, 2 * rx), cy - ry + rng.randint(0, 2 * ry)], fill=(215, 215, 215), width=3)
    for _ in range(rng.randint(10, 40)):  # glass and plastic fragments on the ground
        x, y = rng.randint(0, w), rng.randint(int(h * 0.8), h)
        d.polygon([(x, y), (x + rng.randint(5, 25), y + rng.randint(-10, 10)), (x + rng.randint(-10, 10), y + rng.randint(5, 20))],
                  fill=rng.choice([(210, 220, 230), (40, 40, 40), (200, 60, 40)]))
    return img


def _fire(rng: random.Random) -> Image.Image:
    w, h = SIZE
    img = _gradient((rng.randint(60, 90),) * 3, (rng.randint(25, 45),) * 3, SIZE)
    arr = np.asarray(img).astype(np.float32)
    low = cv2.resize(np.random.default_rng(rng.getrandbits(32)).standard_normal((5, 7)).astype(np.float32), SIZE, interpolation=cv2.INTER_CUBIC)
    arr *= (1 + 0.35 * low[..., None])
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(2, 4)):  # cabinets, partly burnt
        x = rng.randint(0, w - 300)
        y = rng.randint(int(h * 0.45), int(h * 0.6))
        d.rectangle([x, y, x + rng.randint(200, 400), h], fill=rng.choice([(120, 95, 70), (150, 140, 130), (90, 70, 55)]))
    soot = Image.new("L", SIZE, 0)
    sd = ImageDraw.Draw(soot)
    for _ in range(rng.randint(8, 20)):
        cx, cy = rng.randint(0, w), rng.randint(0, int(h * 0.7))
        r = rng.randint(80, 320)
        sd.ellipse([cx - r, cy - r * 1.6, cx + r, cy + r * 0.6], fill=rng.randint(120, 230))
    soot = soot.filter(ImageFilter.GaussianBlur(60))
    img = Image.composite(Image.new("RGB", SIZE, (12, 10, 9)), img, soot)
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(20, 60)):  # charred debris
        x, y = rng.randint(0, w), rng.randint(int(h * 0.75), h)
        d.ellipse([x, y, x + rng.randint(10, 60), y + rng.randint(6, 30)], fill=rng.choice([(20, 18, 16), (60, 50, 45), (110, 100, 90)]))
    return img


def _water(rng: random.Random) -> Image.Image:
    w, h = SIZE
    wall = rng.choice([(232, 228, 215), (220, 225, 230), (240, 235, 225)])
    img = _gradient(wall, tuple(int(c * 0.8) for c in wall), SIZE)
    stains = Image.new("L", SIZE, 0)
    sd = ImageDraw.Draw(stains)
    for _ in range(rng.randint(2, 5)):  # tide marks from the leak
        cx, cy = rng.randint(200, w - 200), rng.randint(0, int(h * 0.5))
        r = rng.randint(120, 380)
        for k in range(rng.randint(3, 6)):
            rr = r * (1 - k * 0.15)
            sd.ellipse([cx - rr * 1.3, cy - rr, cx + rr * 1.3, cy + rr], outline=rng.randint(90, 200), width=rng.randint(6, 18))
        sd.ellipse([cx - r * 0.8, cy - r * 0.6, cx + r * 0.8, cy + r * 0.6], fill=rng.randint(40, 110))
    stains = stains.filter(ImageFilter.GaussianBlur(9))
    img = Image.composite(Image.new("RGB", SIZE, (150, 120, 70)), img, stains)
    d = ImageDraw.Draw(img)
    floor = int(h * rng.uniform(0.7, 0.8))
    d.rectangle([0, floor, w, h], fill=rng.choice([(150, 110, 70), (180, 170, 160), (120, 90, 60)]))
    for _ in range(rng.randint(1, 3)):  # puddles with a sheen
        cx, cy = rng.randint(100, w - 100), rng.randint(floor + 40, h - 40)
        d.ellipse([cx - rng.randint(150, 400), cy - rng.randint(30, 70), cx + rng.randint(150, 400), cy + rng.randint(30, 70)],
                  fill=(95, 100, 110))
    for _ in range(rng.randint(3, 8)):  # peeling paint
        x, y = rng.randint(0, w), rng.randint(0, floor)
        d.polygon([(x, y), (x + rng.randint(20, 80), y + rng.randint(-20, 20)), (x + rng.randint(0, 60), y + rng.randint(30, 90))],
                  fill=(250, 250, 245))
    return img


def damage_photo(scene: str, rng: random.Random) -> Image.Image:
    maker = {"car": _car, "fire": _fire, "water_damage": _water}.get(scene)
    if maker is None:
        raise ValueError(f"no damage photo for scene {scene!r}")
    img = maker(rng)
    return img.rotate(rng.uniform(-4, 4), resample=Image.BICUBIC, expand=False, fillcolor=(30, 30, 30))


def camera(arr: np.ndarray, rng: random.Random, noise: NoiseSettings) -> np.ndarray:
    return shadow_and_grain(arr, rng, noise)
