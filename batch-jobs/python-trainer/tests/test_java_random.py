"""The JDK generators, against values the JDK itself printed (java.util.SplittableRandom, java.util.Random)."""
import unittest

from civitas_trainer import java_random


class JavaRandomTest(unittest.TestCase):

    def test_splittable_random_doubles_equal_the_jdk_for_a_negative_seed(self):
        values = java_random.splittable_doubles(-4242424242, 3).tolist()
        self.assertEqual(values, [0.9002390237889751, 0.2784532053248454, 0.4277806766912382])

    def test_random_next_int_equals_the_jdk_for_powers_of_two_and_other_bounds(self):
        r = java_random.JavaRandom(7)
        drawn = [r.next_int(b) for b in (10, 16, 1000, 3, 1 << 30, 2147483647, 5)]
        self.assertEqual(drawn, [6, 10, 485, 1, 373994690, 1053566254, 3])

    def test_shuffle_visits_data_in_the_java_workers_order(self):
        order = list(range(10))
        java_random.shuffle(order, java_random.JavaRandom(3))
        self.assertEqual(order, [6, 5, 1, 3, 8, 7, 9, 0, 2, 4])

    def test_long_arithmetic_wraps_as_java_does(self):
        self.assertEqual(java_random.to_long(20261127 * 31), 628094937)
        self.assertEqual(java_random.to_long((1 << 63) + 5), -(1 << 63) + 5)


if __name__ == "__main__":
    unittest.main()
