"""The two JDK generators whose streams the Java worker's results depend on, reproduced exactly.

The frozen base matrices of the adapted layers are never exchanged: every party derives them from
the manifest's fusion seed with java.util.SplittableRandom (MultimodalWeights.frozenBase). A trainer
that derived other bases would send adapters for matrices nobody else has. The data order of local
training comes from java.util.Random, so both trainers visit a dataset in the same order.
"""
import numpy as np

_MASK64 = (1 << 64) - 1
_GOLDEN_GAMMA = 0x9E3779B97F4A7C15


def _mix64(z):
    """SplitMix64's finaliser (Stafford variant 13), on numpy uint64 arrays: multiplication wraps mod 2^64."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def splittable_doubles(seed, count):
    """The first `count` values of new SplittableRandom(seed).nextDouble(), as float64."""
    start = seed & _MASK64
    # seed_k = seed + k * gamma (mod 2^64), k = 1..count
    steps = np.arange(1, count + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        seeds = np.uint64(start) + steps * np.uint64(_GOLDEN_GAMMA)
        longs = _mix64(seeds)
    return (longs >> np.uint64(11)).astype(np.float64) * (2.0 ** -53)


def irwin_hall(seed, count, std):
    """MultimodalWeights.fill: per value the sum of 12 uniforms minus 6, times std, cast to float32.

    The sum runs in Java's order (-6, then each uniform in turn), so every float equals Java's.
    """
    draws = splittable_doubles(seed, 12 * count).reshape(count, 12)
    z = np.full(count, -6.0)
    for k in range(12):
        z += draws[:, k]
    return (z * std).astype(np.float32)


def to_long(value):
    """A Python int as Java's long arithmetic leaves it (two's complement, 64 bits)."""
    value &= _MASK64
    return value - (1 << 64) if value >= (1 << 63) else value


class JavaRandom:
    """java.util.Random: the 48-bit linear congruential generator, for nextInt(bound)."""

    _MULTIPLIER = 0x5DEECE66D
    _MASK48 = (1 << 48) - 1

    def __init__(self, seed):
        self._seed = (seed ^ self._MULTIPLIER) & self._MASK48

    def _next(self, bits):
        self._seed = (self._seed * self._MULTIPLIER + 0xB) & self._MASK48
        # Java's (int) cast keeps the low 32 bits as a signed int.
        value = (self._seed >> (48 - bits)) & 0xFFFFFFFF
        return value - (1 << 32) if value >= (1 << 31) else value

    def next_int(self, bound):
        if bound <= 0:
            raise ValueError("bound must be positive")
        r = self._next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        r = u % bound
        # Java retries while u - r + m overflows an int: the top values would bias the result.
        while u - r + m >= (1 << 31):
            u = self._next(31)
            r = u % bound
        return r


def shuffle(order, random):
    """LocalTraining.shuffle: Fisher-Yates from the end, in place."""
    for i in range(len(order) - 1, 0, -1):
        j = random.next_int(i + 1)
        order[i], order[j] = order[j], order[i]
