"""A perceptual hash finds the same picture again after re-compression, resizing and small crops."""
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.fraud.config import load_fraud_config
from pipeline.fraud.image_hash import hamming, perceptual_hash

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
THRESHOLD = load_fraud_config().red_flags.phash_max_hamming


def invoice(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (800, 1000), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 28)
    for i in range(20):
        words = " ".join(str(rng.integers(100, 99999)) for _ in range(int(rng.integers(1, 6))))
        draw.text((80, 80 + i * 40), words, fill="black", font=font)
    x0, y0 = int(rng.integers(100, 450)), int(rng.integers(100, 650))
    draw.rectangle((x0, y0, x0 + int(rng.integers(60, 300)), y0 + int(rng.integers(60, 300))), outline="black", width=5)
    return image


def photo(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    blobs = (rng.random((12, 16, 3)) * 255).astype("uint8")
    return Image.fromarray(blobs).resize((640, 480), Image.BICUBIC)


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue()))


def crop(image: Image.Image, left=0.0, top=0.0, right=0.0, bottom=0.0) -> Image.Image:
    w, h = image.size
    return image.crop((int(w * left), int(h * top), int(w * (1 - right)), int(h * (1 - bottom))))


@pytest.mark.parametrize("make", [invoice, photo])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_survives_recompression_resizing_and_small_crops(make, seed):
    original = make(seed)
    h = perceptual_hash(original)
    assert len(h) == 16 and int(h, 16) >= 0
    assert hamming(h, perceptual_hash(jpeg(original, 35))) <= 4
    assert hamming(h, perceptual_hash(original.resize((original.width // 2, original.height // 2)))) <= 4
    assert hamming(h, perceptual_hash(jpeg(crop(original, left=0.04), 60))) <= THRESHOLD
    assert hamming(h, perceptual_hash(jpeg(crop(original, right=0.03, bottom=0.03), 60))) <= THRESHOLD
    assert hamming(h, perceptual_hash(crop(original, 0.025, 0.025, 0.025, 0.025))) <= THRESHOLD


@pytest.mark.parametrize("make", [invoice, photo])
def test_separates_different_images(make):
    hashes = [perceptual_hash(make(seed)) for seed in range(3, 9)]
    distances = [hamming(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1:]]
    assert min(distances) > THRESHOLD


def test_accepts_files_bytes_and_arrays(tmp_path):
    image = photo(5)
    path = tmp_path / "p.png"
    image.save(path)
    expected = perceptual_hash(image)
    assert perceptual_hash(path) == expected
    assert perceptual_hash(path.read_bytes()) == expected
    assert perceptual_hash(np.asarray(image)) == expected


def test_bad_inputs_get_clear_errors():
    with pytest.raises(ValueError, match="cannot decode"):
        perceptual_hash(b"not an image")
    with pytest.raises(ValueError, match="too small"):
        perceptual_hash(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="different lengths"):
        hamming("ff", "fff")
    with pytest.raises(ValueError, match="not a hex"):
        hamming("zz", "ff")
