"""A tiny PNG writer whose bytes depend on nothing but the pixels.

OpenCV and Pillow compress PNGs with whatever zlib they were built with
(zlib, zlib-ng, different levels), so the same image can give different
bytes on different machines. The embedded sets promise byte-identical files,
so they are written with uncompressed ("stored") deflate blocks, laid out
here by hand. The images are small (64x64 gray), so size does not matter.
"""
import struct
import zlib

import numpy as np

_SIGNATURE = b'\x89PNG\r\n\x1a\n'
_MAX_STORED = 65535  # the largest stored deflate block


def _chunk(kind, data):
    body = kind + data
    return (struct.pack('>I', len(data)) + body +
            struct.pack('>I',
                        zlib.crc32(body) & 0xFFFFFFFF))


def _stored_zlib(data):
    """A zlib stream of ``data`` in stored (uncompressed) deflate blocks."""
    out = [b'\x78\x01']  # deflate, 32K window, no dictionary, check bits ok
    for start in range(0, max(len(data), 1), _MAX_STORED):
        block = data[start:start + _MAX_STORED]
        final = 1 if start + _MAX_STORED >= len(data) else 0
        out.append(struct.pack('<BHH', final, len(block), len(block) ^ 0xFFFF))
        out.append(block)
    out.append(struct.pack('>I', zlib.adler32(data) & 0xFFFFFFFF))
    return b''.join(out)


def encode_png_gray(image):
    """Encode a 2-D uint8 array as an 8-bit grayscale PNG.

    Args:
        image (np.ndarray): (H, W) uint8.

    Returns:
        bytes: the PNG file content.
    """
    image = np.asarray(image)
    if image.ndim != 2 or image.dtype != np.uint8:
        raise ValueError(
            f'encode_png_gray needs a 2-D uint8 array, got {image.dtype} '
            f'with shape {image.shape}: convert with .astype(np.uint8)')
    height, width = image.shape
    # every scanline starts with filter type 0 (none)
    rows = np.concatenate([np.zeros((height, 1), np.uint8), image], axis=1)
    header = struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)
    return b''.join([
        _SIGNATURE,
        _chunk(b'IHDR', header),
        _chunk(b'IDAT', _stored_zlib(rows.tobytes())),
        _chunk(b'IEND', b''),
    ])


def write_png_gray(path, image):
    """Write a 2-D uint8 array to ``path`` as a grayscale PNG."""
    with open(path, 'wb') as f:
        f.write(encode_png_gray(image))
