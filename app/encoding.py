"""How answers become bytes: significant-digit rounding, orjson straight from NumPy, gzip; or,
for a client that asks for it (Accept: application/msgpack), MessagePack with every float array
as raw little-endian float64 (the page: no text to write, gzip or parse, issue 30).

Full float64 text (17 digits) is mostly noise to gzip: a T = 256 answer is 4.3 MB and only
compresses to 1.9 MB. Rounded to the 9 significant digits the API promises, the same answer
is a third smaller and compresses to 0.9 MB (1.5 MB with every digit). Clients that want every bit ask for 17.
"""

import functools
import math
import struct
from collections.abc import Iterator

import msgpack  # MessagePack (msgpack.org): a well-kept binary JSON, with extension types for arrays
import numpy as np
import orjson
from isal import igzip, isal_zlib  # Intel ISA-L: gzip 3x faster than zlib's level 1, and smaller

FULL_DIGITS = 17  # enough for any float64 to round-trip exactly: no rounding at all
GZIP_MIN_BYTES = 1024
GZIP_LEVEL = 3  # ISA-L's best: 2.2 MB of JSON in ~7 ms (zlib level 1: 23 ms, 4% larger)
# Raw doubles gain little from ISA-L's higher levels: level 1 takes 12.8 MB to 7.8 MB in 17 ms,
# level 3 to 7.7 MB in 38 ms.
GZIP_LEVEL_BINARY = 1

MSGPACK = "application/msgpack"
# The extension type of a float array: [offset][ndim][shape, uint32 each][zeros][float64 data],
# little-endian; offset (one byte) counts the bytes from after itself to the data.
FLOAT_ARRAY = 1

_LOG10_2 = np.log10(2.0)
_MAX_PLACES = 300
_POWERS = 10.0 ** np.arange(_MAX_PLACES + 1)  # exact up to 10^22


def round_significant(values: np.ndarray, digits: int) -> np.ndarray:
    """values rounded to at least ``digits`` significant decimal digits (float64 in, float64 out).

    The decimal exponent comes from the binary one and may be under-estimated by one: then one
    digit more is kept, never one fewer. The result is the double nearest to the rounded decimal
    (so it prints short) while the power of ten involved is exact, that is for numbers from about
    1e-14 to 1e31; beyond, it is within a unit in the last place of it. Numbers below about
    1e-291 are returned unchanged, and so is one that would round up past the largest double.

    The power of ten depends on the binary exponent alone, so it is looked up by it (2,046 of
    them): four passes over the numbers where the general rule (_round_by_frexp) takes a dozen.
    The numbers it leaves to that rule (zeros, the smallest and largest, infinities, NaN) get it.
    """
    values = np.asarray(values, dtype=np.float64)
    if digits >= FULL_DIGITS or values.size == 0:
        return values
    x = np.ascontiguousarray(values, dtype="<f8").reshape(-1)
    exponent = x.view(np.uint16)[3::4] >> 4  # the top 16 bits: sign, then the 11-bit biased exponent
    exponent &= 0x7FF
    powers, ordinary = _powers_by_exponent(digits)
    power = np.take(powers, exponent)
    result = np.multiply(x, power)
    np.rint(result, out=result)
    result /= power
    if exponent.min() < ordinary.start or exponent.max() >= ordinary.stop:
        odd = (exponent < ordinary.start) | (exponent >= ordinary.stop)
        result[odd] = _round_by_frexp(x[odd], digits)
    return result.reshape(values.shape)


@functools.cache
def _powers_by_exponent(digits: int) -> tuple[np.ndarray, range]:
    """10^places by biased binary exponent E (x = 1.f 2^(E - 1023), frexp's e = E - 1022), as
    _round_by_frexp finds places, and the range of E where 0 <= places <= _MAX_PLACES (the rest:
    1.0, and left to _round_by_frexp)."""
    biased = np.arange(2048)
    binary_exponent = (biased - 1022).astype(np.int32)
    places = digits - 1 - np.floor((binary_exponent - 1) * _LOG10_2).astype(np.int64)
    usable = (places >= 0) & (places <= _MAX_PLACES) & (biased > 0) & (biased < 2047)
    found = np.flatnonzero(usable)
    powers = np.ones(2048)
    powers[usable] = _POWERS[places[usable]]
    return powers, range(int(found[0]), int(found[-1]) + 1)


def _round_by_frexp(x: np.ndarray, digits: int) -> np.ndarray:
    """round_significant of a flat array by the general rule, for any double."""
    _, binary_exponent = np.frexp(x)
    # 2^(e-1) <= |x| < 2^e, so floor((e-1) log10 2) <= floor(log10 |x|)
    places = digits - 1 - np.floor((binary_exponent - 1) * _LOG10_2).astype(np.int64)
    beyond = np.abs(places) > _MAX_PLACES
    np.clip(places, -_MAX_PLACES, _MAX_PLACES, out=places)
    power = _POWERS[np.abs(places)]
    with np.errstate(over="ignore"):  # only where places < 0, recomputed below
        result = np.rint(x * power) / power
    whole = places < 0  # rounding to tens, hundreds, ...: divide by the exact power instead
    if whole.any():
        with np.errstate(over="ignore"):
            result[whole] = np.rint(x[whole] / power[whole]) * power[whole]
        beyond |= ~np.isfinite(result)  # rounded up past the largest double
    if beyond.any():
        result[beyond] = x[beyond]
    return result


def rounded(content, digits: int):
    """content (dicts, lists and arrays) with every float array and float rounded."""
    if digits >= FULL_DIGITS:
        return content
    if isinstance(content, dict):
        return {key: rounded(value, digits) for key, value in content.items()}
    if isinstance(content, list):
        if content and all(type(value) is float or value is None for value in content):
            return _rounded_floats(content, digits)  # a curve or a row: one vectorised call, not one per number
        return [rounded(value, digits) for value in content]
    if isinstance(content, np.ndarray) and content.dtype.kind == "f":
        return round_significant(content, digits)
    if isinstance(content, float):
        return float(round_significant(np.array(content), digits)[()])
    return content


def _rounded_floats(values: list, digits: int) -> list:
    """A list of floats and Nones, each float rounded as round_significant rounds it."""
    numbers = np.array([0.0 if value is None else value for value in values])
    done = round_significant(numbers, digits).tolist()
    return [None if value is None else r for value, r in zip(values, done, strict=True)]


def encode_json(content) -> bytes:
    """orjson straight from NumPy arrays: no Python lists on the way."""
    return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)


def encode(content, gzipped: bool, binary: bool = False) -> tuple[bytes, dict]:
    """The body and its headers: JSON, or MessagePack when ``binary``; gzipped when the client
    accepts it and it is worth it."""
    if binary:
        body, level, headers = encode_msgpack(content), GZIP_LEVEL_BINARY, {"Content-Type": MSGPACK}
    else:
        body, level, headers = encode_json(content), GZIP_LEVEL, {}
    headers["Vary"] = "Accept-Encoding, Accept"
    if gzipped and len(body) >= GZIP_MIN_BYTES:
        return igzip.compress(body, level, mtime=0), headers | {"Content-Encoding": "gzip"}
    return body, headers


def encode_parts(parts: Iterator, gzipped: bool) -> Iterator:
    """A MessagePack answer written as it is computed (service.unfold_parts): first its headers,
    then the map's header and first entries at once, then each later part's entries. The bytes
    are encode_msgpack's for the whole answer; gzipped (flushed after each part, so that a reader
    can decode what came) when the client accepts it and the first part is worth it."""
    first, to_come = next(parts)
    packer = msgpack.Packer(default=_array_extension)
    body = packer.pack_map_header(len(first) + len(to_come)) + _entries(packer, first)
    headers = {"Content-Type": MSGPACK, "Vary": "Accept-Encoding, Accept"}
    squeeze = None
    if gzipped and len(body) >= GZIP_MIN_BYTES:
        squeeze = isal_zlib.compressobj(GZIP_LEVEL_BINARY, isal_zlib.DEFLATED, 16 + isal_zlib.MAX_WBITS)
        headers["Content-Encoding"] = "gzip"
    yield headers
    while body is not None:  # each part sent before the next is asked for (it may take a while)
        yield body if squeeze is None else squeeze.compress(body) + squeeze.flush(isal_zlib.Z_SYNC_FLUSH)
        part = next(parts, None)
        body = None if part is None else _entries(packer, part)
    if squeeze is not None:
        yield squeeze.flush(isal_zlib.Z_FINISH)  # gzip's end: its last empty block and checksum


def _entries(packer: msgpack.Packer, entries: dict) -> bytes:
    return b"".join(packer.pack(key) + packer.pack(_packable(value)) for key, value in entries.items())


def encode_msgpack(content) -> bytes:
    """The same answer as encode_json, in MessagePack: every float64 array as one FLOAT_ARRAY
    extension (its numbers bit for bit; a NaN or an infinity stands where JSON has null, and a
    reader writes null, as read_msgpack does), NaN and infinite floats as nil as in JSON, the
    other arrays as lists."""
    return msgpack.packb(_packable(content), default=_array_extension)


def _packable(content):
    """content with the floats that JSON writes as null made None (arrays are left to the packer)."""
    if isinstance(content, dict):
        return {key: _packable(value) for key, value in content.items()}
    if isinstance(content, list | tuple):
        return [_packable(value) for value in content]
    if isinstance(content, float | np.floating):
        return float(content) if math.isfinite(content) else None
    return content


def _array_extension(value):
    if isinstance(value, np.ndarray):
        if value.dtype != np.float64:  # the core's are float64; any other reads as its JSON does
            return value.tolist() if value.dtype.kind != "f" else orjson.loads(encode_json(value))
        data = np.require(value, dtype="<f8", requirements="C")  # keeps a 0-d array 0-d
        head = struct.pack(f"<B{data.ndim}I", data.ndim, *data.shape)
        head += bytes(-(len(head) + 1) % 8)  # the data starts 8-byte aligned within the extension
        return msgpack.ExtType(FLOAT_ARRAY, bytes([len(head)]) + head + data.tobytes())
    if isinstance(value, np.generic):
        return _packable(value.item())
    raise TypeError(f"cannot pack {type(value).__name__}")


def read_msgpack(body: bytes):
    """A MessagePack answer back to what its JSON reads as: float arrays as nested lists, null
    where a number is not finite (for clients in Python, and the tests)."""
    def extension(code: int, data: bytes):
        if code != FLOAT_ARRAY:
            return msgpack.ExtType(code, data)
        ndim = data[1]
        shape = struct.unpack_from(f"<{ndim}I", data, 2)
        values = np.frombuffer(data, dtype="<f8", offset=1 + data[0]).reshape(shape)
        return _nulls(values.tolist())
    return msgpack.unpackb(body, ext_hook=extension, strict_map_key=False)


def _nulls(values):
    if isinstance(values, list):
        return [_nulls(value) for value in values]
    return values if math.isfinite(values) else None
