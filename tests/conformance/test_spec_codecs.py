"""SPEC section 9's byte-stream definitions, implemented here from the text alone (pure Python), agree with
what HDF5 writes (raw chunks read with h5py's read_direct_chunk) and with LINDI's codecs.

If one of these fails, the text is wrong or the code is: an implementer of another language only has the text.
"""
from __future__ import annotations

import re
from pathlib import Path

import h5py
import imagecodecs
import numpy as np
import pytest

from lindi.codecs.nbit import HDF5Nbit
from lindi.codecs.plugin_framing import HDF5Bitshuffle
from lindi.validation.codec_table import OPTIONAL_CODECS, REQUIRED_CODECS

from .conftest import REPO

# ---------------------------------------------------------------- the text, as code


def bits_msb_first(data: bytes, count: int, width: int) -> list[int]:
    """Fields of ``width`` bits, MSB first: stream bit j is bit 7 - (j mod 8) of byte j // 8."""
    fields = []
    for k in range(count):
        value = 0
        for j in range(k * width, k * width + width):
            value = (value << 1) | ((data[j // 8] >> (7 - j % 8)) & 1)
        fields.append(value)
    return fields


def spec_unshuffle(data: bytes, k: int) -> bytes:
    m = len(data) // k
    out = bytearray(data)
    for i in range(m):
        for j in range(k):
            out[i * k + j] = data[j * m + i]
    return bytes(out)


def spec_fletcher32(data: bytes) -> int:
    s1 = s2 = 0
    words = [data[2 * i] * 256 + data[2 * i + 1] for i in range(len(data) // 2)]
    for start in range(0, len(words), 360):
        for w in words[start:start + 360]:
            s1 += w
            s2 += s1
        s1 = (s1 & 0xFFFF) + (s1 >> 16)
        s2 = (s2 & 0xFFFF) + (s2 >> 16)
    if len(data) % 2:
        s1 += data[-1] * 256
        s2 += s1
        s1 = (s1 & 0xFFFF) + (s1 >> 16)
        s2 = (s2 & 0xFFFF) + (s2 >> 16)
    s1 = (s1 & 0xFFFF) + (s1 >> 16)
    s2 = (s2 & 0xFFFF) + (s2 >> 16)
    return (s2 << 16) | s1


def spec_lzf_decode(data: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(data):
        c = data[i]
        i += 1
        if c < 32:
            out += data[i:i + c + 1]
            i += c + 1
            continue
        length = c >> 5
        if length == 7:
            length += data[i]
            i += 1
        offset = ((c & 31) << 8) + data[i] + 1
        i += 1
        for _ in range(length + 2):
            out.append(out[-offset])
    return bytes(out)


def spec_bitshuffle(data: bytes, s: int, blocksize: int = 0) -> bytes:
    b = blocksize or max(128, 8 * ((8192 // s) // 8))
    n = len(data) // s
    out = bytearray()

    def block(elements: bytes, m: int) -> None:
        for j in range(s):
            for t in range(8):
                row = bytearray(m // 8)
                for e in range(m):
                    if (elements[e * s + j] >> t) & 1:
                        row[e // 8] |= 1 << (e % 8)
                out.extend(row)

    pos = 0
    for _ in range(n // b):
        block(data[pos * s:(pos + b) * s], b)
        pos += b
    rest = ((n % b) // 8) * 8
    if rest:
        block(data[pos * s:(pos + rest) * s], rest)
        pos += rest
    out += data[pos * s:]
    return bytes(out)


def spec_scaleoffset_decode(chunk: bytes, dtype: str, n: int, scale_type: str, factor: int, fill) -> np.ndarray:
    dt = np.dtype(dtype)
    width = dt.itemsize * 8
    if scale_type == "integer" and factor == width:
        return np.frombuffer(chunk, dtype=dt)
    minbits = int.from_bytes(chunk[0:4], "little")
    size = min(8, chunk[4])
    minval_bytes = chunk[5:5 + size]
    if minbits == width:
        return np.frombuffer(chunk[21:21 + n * dt.itemsize], dtype=dt.newbyteorder("<")).astype(dt)
    codes = bits_msb_first(chunk[21:], n, minbits) if minbits else [0] * n
    all_ones = (1 << minbits) - 1
    values = []
    for code in codes:
        if fill is not None and minbits and code == all_ones:
            values.append(fill)
        elif scale_type == "integer":
            v = (code + int.from_bytes(minval_bytes, "little")) % 2**width
            values.append(v - 2**width if dt.kind == "i" and v >= 2 ** (width - 1) else v)
        else:
            ftype = dt.newbyteorder("=").type
            minimum = np.frombuffer(minval_bytes[:dt.itemsize], dtype=dt.newbyteorder("<"))[0]
            values.append(ftype(code) / np.power(ftype(10), ftype(factor)) + ftype(minimum))
    return np.array(values, dtype=dt)


def spec_nbit_encode(values: np.ndarray, precision: int, offset: int) -> bytes:
    dt = values.dtype
    words = values.view(f"{dt.byteorder if dt.byteorder in '<>' else '='}u{dt.itemsize}")
    shift = offset if dt.kind == "f" else 0  # integers: the value's low bits (HDF5 has shifted them down)
    fields = [(int(w) >> shift) & ((1 << precision) - 1) for w in words]
    bits = "".join(format(f, f"0{precision}b") for f in fields)
    size = len(fields) * precision // 8 + 1
    bits = bits.ljust(size * 8, "0")
    return bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))


# ---------------------------------------------------------------- HDF5 as the oracle


def _raw_chunk(path, name):
    with h5py.File(path) as f:
        ds = f[name]
        return ds.id.read_direct_chunk((0,) * ds.ndim)[1], ds[...]


def test_shuffle_matches_hdf5(tmp_path):
    path = tmp_path / "s.h5"
    data = np.arange(50, dtype="<i4") * 1001
    with h5py.File(path, "w") as f:
        f.create_dataset("s", data=data, chunks=(50,), shuffle=True)
    raw, values = _raw_chunk(path, "s")
    assert spec_unshuffle(raw, 4) == values.tobytes()


@pytest.mark.parametrize("n", [7, 8, 1000])
def test_fletcher32_checksum_is_little_endian_over_big_endian_words(tmp_path, n):
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("f", data=np.arange(n, dtype="u1") * 7, chunks=(n,), fletcher32=True)
    raw, values = _raw_chunk(path, "f")
    assert raw[:-4] == values.tobytes()
    assert raw[-4:] == spec_fletcher32(values.tobytes()).to_bytes(4, "little")


def test_lzf_stream_matches_h5py(tmp_path):
    path = tmp_path / "l.h5"
    data = (np.arange(3000, dtype="<i4") % 17) * np.arange(3000, dtype="<i4") // 5
    with h5py.File(path, "w") as f:
        f.create_dataset("l", data=data, chunks=(3000,), compression="lzf")
    raw, values = _raw_chunk(path, "l")
    assert len(raw) < values.nbytes and spec_lzf_decode(raw) == values.tobytes()


@pytest.mark.parametrize("itemsize, n, blocksize", [(1, 100, 0), (2, 9000, 0), (4, 2051, 0), (8, 300, 64)])
def test_bitshuffle_layout_matches_the_plugin_kernel_and_lindi(itemsize, n, blocksize):
    data = np.random.default_rng(itemsize * n).integers(0, 256, n * itemsize, dtype=np.uint8).tobytes()
    want = spec_bitshuffle(data, itemsize, blocksize)
    assert bytes(imagecodecs.bitshuffle_encode(data, itemsize=itemsize, blocksize=blocksize)) == want
    assert HDF5Bitshuffle(itemsize, blocksize).encode(data) == want


@pytest.mark.parametrize("dtype, data, factor, fill", [
    ("<i4", (np.arange(40) % 13) - 3, 0, -1),
    (">i2", np.arange(40) * 3, 0, None),
    ("<f8", np.arange(40) / 4, 2, 0.0),
    ("<f4", np.arange(40) / 8 - 1, 3, None),
])
def test_scaleoffset_header_codes_and_fill_code_match_hdf5(tmp_path, dtype, data, factor, fill):
    path = tmp_path / "so.h5"
    scale_type = "integer" if "i" in dtype else "float_dscale"
    with h5py.File(path, "w") as f:
        f.create_dataset("so", data=np.asarray(data, dtype=dtype), chunks=(40,), scaleoffset=factor,
                         **({} if fill is None else {"fillvalue": fill}))
    raw, values = _raw_chunk(path, "so")
    decoded = spec_scaleoffset_decode(raw, dtype, 40, scale_type, factor, fill if fill is not None else 0)
    assert decoded.tobytes() == values.tobytes()


@pytest.mark.parametrize("dtype, precision, offset", [("<i4", 12, 0), (">u2", 9, 3), ("<f4", 20, 4)])
def test_nbit_stream_matches_lindi(dtype, precision, offset):
    rng = np.random.default_rng(precision)
    values = rng.integers(0, 2**31, 33).astype(np.uint32).astype(dtype) if "f" not in dtype else \
        rng.random(33).astype(dtype)
    codec = HDF5Nbit(dtype, 33, precision, offset)
    assert codec.encode(values.tobytes()) == spec_nbit_encode(values, precision, offset)


# ---------------------------------------------------------------- the codec list


def _spec_codec_tables() -> dict[str, dict[str, tuple[str, bool]]]:
    text = (Path(REPO) / "spec" / "SPEC.md").read_text(encoding="utf-8")
    section = text[text.index("## 9. Codecs"):text.index("## 10.")]
    tables: dict[str, dict[str, tuple[str, bool]]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))] if line.startswith("| `") else None
        if not cells:
            continue
        members: dict[str, tuple[str, bool]] = {}
        # "`a`*, `b`: integer, `c`: string|null": a type applies to the names listed before it
        for names, kind in re.findall(r"((?:`[a-z_]+`\*?(?:, )?)+): ([a-z|]+)", cells[1].replace("\\|", "|")):
            for name, star in re.findall(r"`([a-z_]+)`(\*?)", names):
                members[name] = (kind, bool(star))
        for codec_id in re.findall(r"`([a-z0-9_-]+)`", cells[0]):
            tables[codec_id] = members
    return tables


def test_the_validators_codec_table_is_the_spec_text():
    assert _spec_codec_tables() == {**REQUIRED_CODECS, **OPTIONAL_CODECS}
